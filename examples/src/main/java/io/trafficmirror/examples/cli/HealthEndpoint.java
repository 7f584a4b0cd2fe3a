package io.trafficmirror.examples.cli;

import io.trafficmirror.core.receiver.MirrorReceiver;
import io.trafficmirror.core.receiver.ReceiverCounters;
import io.trafficmirror.core.receiver.StopReason;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code mirror receive --health-check HOST:PORT}: what a load balancer's health check asks. A TCP check is
 * answered by the accept; an HTTP check of any path gets {@code 200} and the receiver's counters as one line of
 * JSON (numbers only), or {@code 503} with the same line once the receive loop has failed. It reads the counters'
 * snapshot ({@link MirrorReceiver#counters()}: opaque loads, no lock), so it never slows the loop.
 */
final class HealthEndpoint implements AutoCloseable
{
    private final HttpEndpoint endpoint;

    private HealthEndpoint(final HttpEndpoint endpoint)
    {
        this.endpoint = endpoint;
    }

    /**
     * Binds the address and starts serving.
     *
     * @throws IOException when the address cannot be bound.
     */
    static HealthEndpoint start(final MirrorReceiver receiver, final InetSocketAddress address) throws IOException
    {
        return new HealthEndpoint(HttpEndpoint.start(address, "/", () ->
        {
            final boolean failed = receiver.stopReason().orElse(null) == StopReason.FAILED;
            return new HttpEndpoint.Response(failed ? 503 : 200, "application/json",
                (json(receiver.counters()) + "\n").getBytes(StandardCharsets.US_ASCII));
        }));
    }

    /** The counters as one JSON object; the names are those of the final counters line, in words joined by '_'. */
    static String json(final ReceiverCounters counters)
    {
        return "{\"received\":" + counters.received()
            + ",\"accepted\":" + counters.accepted()
            + ",\"accepted_bytes\":" + counters.acceptedBytes()
            + ",\"dropped_sender\":" + counters.droppedSender()
            + ",\"dropped_vni\":" + counters.droppedVni()
            + ",\"dropped_no_session\":" + counters.droppedNoSession()
            + ",\"malformed\":" + counters.malformed()
            + ",\"not_ethernet\":" + counters.droppedNotEthernet()
            + ",\"dropped_writer_behind\":" + counters.droppedWriterBehind()
            + ",\"file_open_failed\":" + counters.droppedFileOpen()
            + ",\"write_failed\":" + counters.droppedWriteFailed() + "}";
    }

    /** The address served, with the port the system chose when the one asked for was 0. */
    InetSocketAddress address()
    {
        return endpoint.address();
    }

    @Override
    public void close()
    {
        endpoint.close();
    }
}
