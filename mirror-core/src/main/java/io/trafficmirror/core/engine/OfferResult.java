package io.trafficmirror.core.engine;

/**
 * What happened to a packet handed to a {@link SourceHandle}: an {@code int}, so the call allocates nothing.
 * Every outcome is also counted in the engine's metrics.
 */
public final class OfferResult
{
    /** A session accepted the packet and its copy is queued for the target. */
    public static final int QUEUED = 0;

    /** No session mirrors the packet (see {@link NotMirroredReason} in the metrics for why). */
    public static final int NOT_MIRRORED = 1;

    /**
     * A session accepted the packet, but its target's queue was full, so the copy was dropped and counted: at once
     * for a live handle; for a lossless handle, once its wait for room reached the handle's limit (or its thread
     * was interrupted).
     */
    public static final int DROPPED_QUEUE_FULL = 2;

    /**
     * A session accepted the packet, but while its copy waited for room (a lossless handle only, see
     * {@link MirrorEngine#losslessSource}) the engine closed or an update retired the target: the copy was dropped
     * and counted as dropped at shutdown. Live handles never return it.
     */
    public static final int DROPPED_SHUTDOWN = 3;

    private OfferResult()
    {
    }

    /**
     * @param result an outcome.
     * @return its name, for logs and tests.
     */
    public static String toString(final int result)
    {
        switch (result)
        {
            case QUEUED:
                return "QUEUED";
            case NOT_MIRRORED:
                return "NOT_MIRRORED";
            case DROPPED_QUEUE_FULL:
                return "DROPPED_QUEUE_FULL";
            case DROPPED_SHUTDOWN:
                return "DROPPED_SHUTDOWN";
            default:
                return "UNKNOWN(" + result + ")";
        }
    }
}
