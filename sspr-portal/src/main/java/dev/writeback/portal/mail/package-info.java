/** Mail the portal sends: SMTP (STARTTLS or TLS, with authentication) and a demo-only outbox of .eml files. */
package dev.writeback.portal.mail;
