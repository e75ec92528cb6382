package dev.writeback.portal;

/** A tenant's writeback state as {@code GET /api/v1/writeback/status} reports it. */
public enum WritebackState {
    UP, DEGRADED, DOWN, NOT_CONFIGURED;

    /** Whether a reset can be attempted now. */
    public boolean usable() {
        return this == UP || this == DEGRADED;
    }
}
