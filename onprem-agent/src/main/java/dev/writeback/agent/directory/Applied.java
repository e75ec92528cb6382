package dev.writeback.agent.directory;

/**
 * What a successful operation changed, for the log line.
 *
 * @param dn the account
 * @param detail extra facts such as {@code unlocked=true}, may be empty
 */
record Applied(String dn, String detail) {}
