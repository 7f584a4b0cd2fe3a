package io.trafficmirror.examples.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.metrics.MirrorEngineMetrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} of {@code mirror run --metrics HOST:PORT}: the engine's meters ({@link MirrorEngineMetrics})
 * in a Micrometer Prometheus registry, whose {@code scrape()} text an {@link HttpEndpoint} returns. One thread
 * serves the requests, off the packet path.
 */
final class MetricsEndpoint implements AutoCloseable
{
    static final String PATH = "/metrics";

    private final HttpEndpoint endpoint;
    private final PrometheusMeterRegistry registry;

    private MetricsEndpoint(final HttpEndpoint endpoint, final PrometheusMeterRegistry registry)
    {
        this.endpoint = endpoint;
        this.registry = registry;
    }

    /**
     * Binds the address and starts serving.
     *
     * @throws IOException when the address cannot be bound.
     */
    static MetricsEndpoint start(final MirrorEngine engine, final InetSocketAddress address) throws IOException
    {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final MirrorEngineMetrics metrics = new MirrorEngineMetrics(engine);
        metrics.bindTo(registry);
        try
        {
            return new MetricsEndpoint(HttpEndpoint.start(address, PATH, () ->
            {
                // A scrape reads counters as of now, not as of the last snapshot (up to a second old), and sees the
                // meters of sessions and targets a reload added.
                metrics.refresh();
                return new HttpEndpoint.Response(200, "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape().getBytes(StandardCharsets.UTF_8));
            }), registry);
        }
        catch (final IOException | RuntimeException ex)
        {
            registry.close();
            throw ex;
        }
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
        registry.close();
    }
}
