package io.trafficmirror.core.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs warnings through {@link System.Logger} at most once per message key per interval, with a count of what
 * was suppressed, so a dead target cannot flood the log. Off the packet path: only senders and control calls use it.
 */
final class RateLimitedLog
{
    private static final System.Logger LOGGER = System.getLogger("io.trafficmirror.core.engine");

    private final long intervalNanos;
    private final ConcurrentHashMap<String, long[]> lastByKey = new ConcurrentHashMap<>();

    RateLimitedLog(final long intervalNanos)
    {
        this.intervalNanos = intervalNanos;
    }

    /**
     * Asks whether a message under this key may be logged now; when not, counts it as suppressed. Lets a caller
     * skip building the message text, so a failing target costs no allocation per packet.
     */
    boolean allow(final String key)
    {
        final long now = System.nanoTime();
        final long[] state = lastByKey.computeIfAbsent(key, k -> new long[]{now - intervalNanos, 0, 0});
        synchronized (state)
        {
            if (now - state[0] >= intervalNanos)
            {
                state[0] = now;
                state[2] = state[1];
                state[1] = 0;
                return true;
            }
            state[1]++;
            return false;
        }
    }

    /**
     * Logs a warning that {@link #allow} admitted, with the count suppressed since the last one.
     */
    void warn(final String key, final String message)
    {
        final long[] state = lastByKey.get(key);
        final long suppressed = state == null ? 0 : state[2];
        LOGGER.log(System.Logger.Level.WARNING,
            suppressed == 0 ? message : message + " (" + suppressed + " similar messages suppressed)");
    }
}
