package io.trafficmirror.core.receiver;

import java.io.IOException;

/**
 * The pcap stream's reader went away (a broken pipe): the end of a receiver writing to a stream, not a fault of
 * the receiver; the loop ends with {@link StopReason#OUTPUT_CLOSED} and this in {@link MirrorReceiver#failure()}.
 */
final class StreamClosedException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what closed, and the system's reason: "standard output closed (broken pipe)".
     */
    StreamClosedException(final String message)
    {
        super(message);
    }
}
