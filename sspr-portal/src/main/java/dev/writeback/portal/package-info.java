/** The self-service password reset portal: its flow, pages, limits and the seams to writeback and the store. */
package dev.writeback.portal;
