package io.trafficmirror.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * A read-only HTTP endpoint on the JDK's HTTP server: {@code GET} (or {@code HEAD}) of a path, and of every path
 * under it, answered by a {@link Responder}; other methods get 405. The server's one dispatcher thread accepts the
 * connections and answers, off the packet path; a client that connects and closes without a request (a load
 * balancer's TCP health check) costs it an accept and a close. Used by {@code mirror run --metrics} and
 * {@code mirror receive --health-check}.
 */
final class HttpEndpoint implements AutoCloseable
{
    /** What a request is answered with. */
    record Response(int status, String contentType, byte[] body)
    {
    }

    /** Makes the answer to a request, on the server's thread. */
    @FunctionalInterface
    interface Responder
    {
        Response respond();
    }

    private final HttpServer server;
    private final Responder responder;

    private HttpEndpoint(final HttpServer server, final Responder responder)
    {
        this.server = server;
        this.responder = responder;
    }

    /**
     * Binds the address and starts serving.
     *
     * @param path the path served, with those under it: "/" for every path.
     * @throws IOException when the address cannot be bound.
     */
    static HttpEndpoint start(final InetSocketAddress address, final String path, final Responder responder)
        throws IOException
    {
        final HttpServer server = HttpServer.create(address, 0);
        final HttpEndpoint endpoint = new HttpEndpoint(server, responder);
        server.createContext(path, endpoint::serve);
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
            final String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final Response response = responder.respond();
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            if ("HEAD".equals(method))
            {
                exchange.sendResponseHeaders(response.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(response.status(), response.body().length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(response.body());
            }
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
