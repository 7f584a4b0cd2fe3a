package io.trafficmirror.examples.cli.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The far end of a mirrored host's traffic, run inside a network namespace by {@link LiveTraffic}: a TCP echo server
 * and two UDP echo sockets (one on the DNS port) on the given address, and, for each {@code connect HOST PORT} line
 * on standard input, a TCP connection to the host that sends a few bytes, reads what comes back until the other
 * end closes, and prints {@code done}. {@code exit} or the end of standard input ends it; so does a 60 s limit.
 */
public final class TrafficPeer
{
    static final int TCP_PORT = 8080;
    static final int UDP_PORT = 5000;
    static final int DNS_PORT = 53;
    static final String READY = "ready";
    static final String DONE = "done";
    private static final int LIMIT_MILLIS = 60_000;

    private TrafficPeer()
    {
    }

    /**
     * @param args the address to serve on.
     */
    public static void main(final String[] args) throws IOException
    {
        final InetAddress address = InetAddress.getByName(args[0]);
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final ServerSocket tcp = new ServerSocket();
        tcp.bind(new InetSocketAddress(address, TCP_PORT));
        final DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, UDP_PORT));
        final DatagramSocket dns = new DatagramSocket(new InetSocketAddress(address, DNS_PORT));
        daemon(() -> serveTcp(tcp));
        daemon(() -> echo(udp));
        daemon(() -> echo(dns));
        daemon(() ->
        {
            sleep(LIMIT_MILLIS);
            System.exit(3);
        });
        out.println(READY);
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("exit"); line = in.readLine())
        {
            final String[] words = line.split(" ");
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(words[1], Integer.parseInt(words[2])), 5_000);
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(("hello from the peer to port " + words[2] + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                drain(socket.getInputStream());
            }
            catch (final IOException ex)
            {
                out.println("failed: " + ex);
                continue;
            }
            out.println(DONE);
        }
        System.exit(0);
    }

    /** Echoes each connection's bytes, then closes it, until the server is closed. */
    static void serveTcp(final ServerSocket server)
    {
        while (!server.isClosed())
        {
            try (Socket socket = server.accept())
            {
                socket.setSoTimeout(5_000);
                final InputStream in = socket.getInputStream();
                final OutputStream out = socket.getOutputStream();
                final byte[] buffer = new byte[4096];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
                {
                    out.write(buffer, 0, n);
                }
            }
            catch (final IOException ex)
            {
                // Closed, or one connection failed: serve the next while open.
            }
        }
    }

    private static void echo(final DatagramSocket socket)
    {
        final byte[] buffer = new byte[2048];
        while (true)
        {
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try
            {
                socket.receive(packet);
                socket.send(packet);
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    private static void drain(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0)
        {
            continue;
        }
    }

    private static void daemon(final Runnable task)
    {
        final Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
