package io.trafficmirror.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.metrics.MirrorEngineMetrics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} of {@code mirror run --metrics HOST:PORT}: the engine's meters ({@link MirrorEngineMetrics})
 * in a Micrometer Prometheus registry, whose {@code scrape()} text the JDK's HTTP server returns. One thread
 * serves the requests, off the packet path.
 */
final class MetricsEndpoint implements AutoCloseable
{
    static final String PATH = "/metrics";

    private final HttpServer server;
    private final PrometheusMeterRegistry registry;
    private final MirrorEngineMetrics metrics;

    private MetricsEndpoint(final HttpServer server, final PrometheusMeterRegistry registry,
        final MirrorEngineMetrics metrics)
    {
        this.server = server;
        this.registry = registry;
        this.metrics = metrics;
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
        final HttpServer server = HttpServer.create(address, 0);
        final MetricsEndpoint endpoint = new MetricsEndpoint(server, registry, metrics);
        server.createContext(PATH, endpoint::serve);
        server.start();
        return endpoint;
    }

    /** The address served, with the port the system chose when the one asked for was 0. */
    InetSocketAddress address()
    {
        return server.getAddress();
    }

    private void serve(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            // A scrape reads counters as of now, not as of the last snapshot (up to a second old), and sees the
            // meters of sessions and targets a reload added.
            metrics.refresh();
            final byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            if ("HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        registry.close();
    }
}
