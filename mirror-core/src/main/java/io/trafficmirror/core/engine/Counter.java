package io.trafficmirror.core.engine;

/**
 * The layout of each metered object's block of counters: offsets within the block, and the block widths.
 * Packets and bytes sit side by side where both are kept.
 */
final class Counter
{
    // A source interface: every packet handed to it is offered, then either mirrored by one session or not.
    static final int SOURCE_OFFERED_PACKETS = 0;
    static final int SOURCE_OFFERED_BYTES = 1;
    static final int SOURCE_NOT_MIRRORED_PACKETS = 2;
    static final int SOURCE_NOT_MIRRORED_BYTES = 3;
    /** Not mirrored, by reason: the first of {@link NotMirroredReason#count()} packet counters. */
    static final int SOURCE_NOT_MIRRORED_BY_REASON = 4;
    static final int SOURCE_WIDTH = SOURCE_NOT_MIRRORED_BY_REASON + NotMirroredReason.count();

    // A session: packets it judged, and what became of the copies it accepted.
    static final int SESSION_OFFERED_PACKETS = 0;
    static final int SESSION_OFFERED_BYTES = 1;
    static final int SESSION_ACCEPTED_PACKETS = 2;
    static final int SESSION_ACCEPTED_BYTES = 3;
    static final int SESSION_REJECTED_PACKETS = 4;
    static final int SESSION_REJECTED_BYTES = 5;
    static final int SESSION_UNMATCHED_PACKETS = 6;
    static final int SESSION_UNMATCHED_BYTES = 7;
    static final int SESSION_EXCLUDED_PACKETS = 8;
    static final int SESSION_EXCLUDED_BYTES = 9;
    static final int SESSION_WIDTH = 10;

    // A copy on its way to a target (kept per session, per target, and per source interface and direction): the same
    // layout in all three. A copy is
    // accepted, then dropped at once (queue full) or queued; a queued copy is dequeued (by its sender, or by close),
    // and then mirrored or dropped (send error, failure, shutdown). Queued and in flight are the differences.
    static final int COPY_MIRRORED_PACKETS = 0;
    static final int COPY_MIRRORED_BYTES = 1;
    static final int COPY_TRUNCATED_PACKETS = 2;
    static final int COPY_DROPPED_QUEUE_FULL = 3;
    static final int COPY_DROPPED_SEND_ERROR = 4;
    static final int COPY_DROPPED_SHUTDOWN = 5;
    static final int COPY_ACCEPTED_PACKETS = 6;
    static final int COPY_ACCEPTED_BYTES = 7;
    static final int COPY_DEQUEUED_PACKETS = 8;
    /** Copies whose send threw (a consumer's exception or error). */
    static final int COPY_DROPPED_FAILURE = 9;
    /** Everything the target's send or close threw, each handed to the error handler. */
    static final int COPY_FAILURES = 10;
    /**
     * Bytes of the copies dropped because the engine could not keep up (queue full, send error, failure), each
     * counted as the copy would have been sent: after the cut to the packet length and the MTU.
     */
    static final int COPY_SKIPPED_BYTES = 11;
    static final int COPY_WIDTH = 12;

    // A UDP endpoint of a target: what its sockets report by themselves, apart from any one copy's send.
    /**
     * ICMP port unreachable reports: each says an earlier copy to the endpoint did not arrive (its datagram left,
     * and was counted mirrored). A connected socket holds the report until its next send, which it refuses.
     */
    static final int ENDPOINT_UNREACHABLE = 0;
    static final int ENDPOINT_WIDTH = 1;

    // A rule of one session's filter in one direction.
    static final int RULE_HIT_PACKETS = 0;
    static final int RULE_HIT_BYTES = 1;
    static final int RULE_WIDTH = 2;

    private Counter()
    {
    }
}
