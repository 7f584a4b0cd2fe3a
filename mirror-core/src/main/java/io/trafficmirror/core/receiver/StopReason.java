package io.trafficmirror.core.receiver;

/** Why the receiving loop ended. */
public enum StopReason
{
    /** {@link MirrorReceiver#stop()} or {@link MirrorReceiver#close()} was called. */
    STOPPED,
    /** The receiver accepted the number of frames it was limited to. */
    FRAME_LIMIT,
    /** The receiver ran for the duration it was limited to. */
    DURATION,
    /** A handler threw or a capture file could not be written; see {@link MirrorReceiver#failure()}. */
    FAILED,
    /**
     * The pcap stream's reader went away (a broken pipe: the analyzer reading the receiver's standard output
     * exited); what was lost is counted as write failures and {@link MirrorReceiver#failure()} says why.
     */
    OUTPUT_CLOSED
}
