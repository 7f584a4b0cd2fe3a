package io.trafficmirror.core.live;

import java.io.IOException;

/**
 * Live capture cannot start: libpcap is missing, the process lacks capture privileges, or the device or filter is
 * wrong. The message is one line that says what is missing and how to get it.
 */
public final class LiveCaptureException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line: what is missing.
     * @param cause   the underlying failure, if any.
     */
    public LiveCaptureException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
