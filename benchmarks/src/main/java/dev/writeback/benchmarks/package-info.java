/** Load harnesses that print latency percentiles, throughput and memory; run on purpose, never as tests. */
package dev.writeback.benchmarks;
