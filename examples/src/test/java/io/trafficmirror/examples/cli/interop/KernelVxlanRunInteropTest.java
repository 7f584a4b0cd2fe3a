package io.trafficmirror.examples.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trafficmirror.examples.cli.MirrorCommand;
import io.trafficmirror.testing.Flows;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirror run} on a live veth, into the Linux kernel's VXLAN implementation. The mirrored host is this
 * namespace's end of a veth pair (address {@code .1}); its peer, a {@link TrafficPeer} in the namespace at the other
 * end ({@code .2}), which is also the VPC resolver's address (the VPC is the pair's /24, so base + 2). Traffic
 * flows both ways: TCP connections in each direction, UDP, ICMP echo, DNS to the resolver and SSH to port 22 of
 * the host. The getting-started configuration (rejects SSH to the host, accepts the rest, PacketLength 100 here)
 * sends to a kernel {@code vxlan} device in a second namespace, whose capture must be exactly what the
 * configuration accepts of the veth's capture by tcpdump, cut to 100 bytes. Needs root, {@code ip netns} and
 * tcpdump; skipped with a message otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelVxlanRunInteropTest
{
    private static final String WHAT = "the mirror run interop test";
    private static final String SOURCE = "eni-0f1e2d3c4b5a69788";
    private static final String DEVICE = "vx0";
    private static final int VNI = 5569041;
    private static final int PACKET_LENGTH = 100;
    private static final int SSH = 22;
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String MIRRORED = "trafficmirror_target_mirrored_packets_total";
    private static final String RULE_HITS = "trafficmirror_rule_hits_packets_total";
    private static final String RULE_50 = "rule=\"50\"";

    private NetworkNamespace peerSide;
    private NetworkNamespace targetSide;
    private JavaProcess peer;
    private String host;
    private String hostDevice;

    @TempDir
    Path temp;

    @BeforeAll
    void createNamespaces() throws Exception
    {
        InteropEnvironment.assumeRootWithTshark(WHAT);
        assumeTrue(Commands.succeeds("tcpdump", "--version"), "tcpdump is not installed: skipping " + WHAT);
        peerSide = NetworkNamespace.create(WHAT);
        targetSide = NetworkNamespace.create(WHAT);
        targetSide.addVxlan(DEVICE, VNI);
        host = peerSide.rootAddress();
        hostDevice = Commands.check("ip", "-o", "-4", "addr", "show", "to", host + "/32").split("\\s+")[1];
        peer = JavaProcess.start(peerSide.exec(), Files.createTempDirectory("tm-run-peer"),
            TrafficPeer.class.getName(), peerSide.address());
        peer.await(false, TrafficPeer.READY, 1, WAIT);
    }

    @AfterAll
    void deleteNamespaces() throws Exception
    {
        if (peer != null)
        {
            peer.send("exit");
            peer.close();
        }
        for (final NetworkNamespace namespace : new NetworkNamespace[]{peerSide, targetSide})
        {
            if (namespace != null)
            {
                namespace.close();
            }
        }
    }

    @Test
    void runMirrorsExactlyWhatTheConfigurationAcceptsOfLiveTrafficAndCountsItOnMetrics() throws Exception
    {
        final Path config = configuration("run.json", false);
        final int metricsPort = freePort();
        final List<byte[]> seen;
        final List<byte[]> expected = new ArrayList<>();
        final List<byte[]> delivered;
        final String scrape;
        final int exit;
        String out;
        int ssh = 0;
        try (Tcpdump source = Tcpdump.start(List.of(), hostDevice, temp.resolve("source.pcap"));
            Tcpdump target = Tcpdump.start(targetSide.exec(), DEVICE, temp.resolve("target.pcap"));
            JavaProcess run = mirrorRun(config, "--metrics", "127.0.0.1:" + metricsPort))
        {
            final ServerSocket sshServer = sshListener();
            try (ServerSocket echo = echoServer(0))
            {
                tcpToPeer();
                tcpFromPeer(echo.getLocalPort());
                tcpFromPeer(SSH);
                udpToPeer(TrafficPeer.UDP_PORT, "plain UDP", 3);
                udpToPeer(TrafficPeer.DNS_PORT, "DNS query to the VPC resolver", 2);
                ping(3);
            }
            finally
            {
                sshServer.close();
            }
            // The echo replies of the last pings are the last frames of the traffic.
            assertThat(source.await(KernelVxlanRunInteropTest::isEchoReply, 3, WAIT)).as("echo replies on %s", hostDevice)
                .isTrue();
            seen = source.stop();
            for (final byte[] frame : seen)
            {
                if (isSshToHost(frame))
                {
                    ssh++;
                }
                else if (isHostsIpv4(frame))
                {
                    expected.add(Arrays.copyOf(frame, Math.min(frame.length, PACKET_LENGTH)));
                }
            }
            scrape = awaitMetrics(metricsPort, MIRRORED, expected.size(), null, 0);
            Commands.check("kill", "-TERM", Long.toString(run.pid()));
            exit = run.awaitExit(WAIT);
            out = run.out() + "\nstderr:\n" + run.err();
            target.await(frame -> true, expected.size(), WAIT);
            delivered = target.stop();
            out += "\nvx0: " + targetSide.ip("-s", "link", "show", DEVICE) + "\ntarget veth: " +
                targetSide.ip("-s", "link") + "\nroot: " + Commands.check("ip", "-s", "link", "show", "dev",
                Commands.check("ip", "-o", "-4", "addr", "show", "to", targetSide.rootAddress() + "/32")
                .split("\\s+")[1]) + Commands.check("cat", "/proc/net/stat/arp_cache") +
                Commands.check("cat", "/proc/net/snmp");
        }
        assertThat(exit).as("exit code of mirror run after SIGTERM; output: %s", out).isZero();

        assertThat(ssh).as("SSH frames tcpdump saw on %s", hostDevice).isGreaterThan(2);
        assertThat(expected).as("accepted frames tcpdump saw").hasSizeGreaterThan(20);
        for (final int protocol : new int[]{1, 6, 17})
        {
            assertThat(expected).as("frames of IP protocol %d", protocol).anyMatch(f -> (f[23] & 0xFF) == protocol);
        }
        assertThat(delivered).as("frames out of the kernel's %s (expected %s, delivered %s); mirror run said: %s",
            DEVICE, describe(expected), describe(delivered), out).hasSameSizeAs(expected);
        assertThat(delivered).noneMatch(KernelVxlanRunInteropTest::isSshToHost);
        final Map<Integer, List<byte[]>> expectedFlows = Flows.byFlow(expected);
        final Map<Integer, List<byte[]>> deliveredFlows = Flows.byFlow(delivered);
        assertThat(deliveredFlows.keySet()).isEqualTo(expectedFlows.keySet());
        expectedFlows.forEach((flow, frames) -> assertThat(deliveredFlows.get(flow))
            .as("frames of flow %d", flow).containsExactlyElementsOf(frames));

        assertThat(counter(scrape, MIRRORED, null)).as("mirrored copies on /metrics: %s", scrape)
            .isEqualTo(delivered.size());
        assertThat(scrape).contains("cloudwatch=\"NetworkPacketsMirrorIn\"", "trafficmirror_rule_hits_packets_total");
        // The summary's totals: every copy sent, none dropped, however the run ended.
        assertThat(out).containsPattern("live: " + Pattern.quote(hostDevice) + " +\\d+ +" + delivered.size() + " +" +
            delivered.size() + " +0 +0 +0 +0 ");
        assertThat(out).contains("NetworkPacketsMirror", "stopped (SIGTERM)");
    }

    @Test
    void sighupSwapsInAConfigurationThatRejectsIcmpAndKeepsItWhenTheNextIsInvalid() throws Exception
    {
        final Path config = configuration("reload.json", false);
        final int metricsPort = freePort();
        final List<byte[]> delivered;
        final int exit;
        final String out;
        try (Tcpdump target = Tcpdump.start(targetSide.exec(), DEVICE, temp.resolve("reload-target.pcap"));
            JavaProcess run = mirrorRun(config, "--metrics", "127.0.0.1:" + metricsPort))
        {
            // Each phase: three datagrams and their echoes, two echo requests and their replies; each signal waits
            // until the engine has handled the phase before (the ICMP ones rejected by rule 50 after the reload).
            udpToPeer(TrafficPeer.UDP_PORT, "phase 1", 3);
            ping(2);
            awaitMetrics(metricsPort, MIRRORED, 10, null, 0);
            Files.copy(configuration("reject-icmp.json", true), config, StandardCopyOption.REPLACE_EXISTING);
            Commands.check("kill", "-HUP", Long.toString(run.pid()));
            run.await(true, "SIGHUP: reloaded", 1, WAIT);
            udpToPeer(TrafficPeer.UDP_PORT, "phase 2", 3);
            ping(2);
            awaitMetrics(metricsPort, MIRRORED, 16, RULE_50, 4);
            Files.writeString(config, "{ \"TrafficMirrorSessions\": [ { \"SessionNumber\": 0 } ] }");
            Commands.check("kill", "-HUP", Long.toString(run.pid()));
            run.await(true, "refused, still running the previous configuration", 1, WAIT);
            udpToPeer(TrafficPeer.UDP_PORT, "phase 3", 3);
            ping(2);
            awaitMetrics(metricsPort, MIRRORED, 22, RULE_50, 8);
            Commands.check("kill", "-INT", Long.toString(run.pid()));
            exit = run.awaitExit(WAIT);
            out = run.out() + "\nstderr:\n" + run.err();
            target.await(frame -> true, 22, WAIT);
            delivered = target.stop();
        }
        assertThat(exit).as("exit code of mirror run after SIGINT; output: %s", out).isZero();
        assertThat(out).contains("problem(s)").contains("stopped (SIGINT)");
        for (final String phase : List.of("phase 1", "phase 2", "phase 3"))
        {
            // Each datagram and its echo.
            assertThat(delivered.stream().filter(f -> contains(f, phase)).count())
                .as("UDP frames of %s among the %d delivered; mirror run said: %s", phase, delivered.size(), out)
                .isEqualTo(6);
        }
        // Two echo requests and their replies before the reload, none after it.
        assertThat(delivered.stream().filter(f -> (f[23] & 0xFF) == 1).count()).as("ICMP frames").isEqualTo(4);
    }

    private JavaProcess mirrorRun(final Path config, final String... more) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("run", "--config", config.toString(), "--interface",
            SOURCE + "=" + hostDevice));
        args.addAll(List.of(more));
        final JavaProcess run = JavaProcess.start(List.of(), temp, MirrorCommand.class.getName(),
            args.toArray(String[]::new));
        run.await(true, "SIGTERM or SIGINT stops", 1, WAIT);
        return run;
    }

    /**
     * The getting-started configuration moved here: the source's address is this end of the veth, the VPC is the
     * pair's /24, the target interface's address the target namespace's (so the default target is used), and the
     * packet length 100; with {@code rejectIcmp}, rule 50 of each direction rejects ICMP.
     */
    private Path configuration(final String name, final boolean rejectIcmp) throws IOException
    {
        final String vpc = host.substring(0, host.lastIndexOf('.')) + ".0/24";
        String json = Files.readString(Path.of("getting-started.json"), StandardCharsets.UTF_8)
            .replace("172.31.0.238", host)
            .replace("172.31.17.188", targetSide.address())
            .replace("172.31.0.0/16", vpc)
            .replace("\"PacketLength\": 8500", "\"PacketLength\": " + PACKET_LENGTH);
        if (rejectIcmp)
        {
            for (final String direction : List.of("ingress", "egress"))
            {
                final String list = "\"" + (direction.equals("ingress") ? "Ingress" : "Egress") + "FilterRules\": [";
                json = json.replace(list, list + "{ \"TrafficMirrorFilterRuleId\": \"tmfr-0ab1c2d3e4f500050\", " +
                    "\"TrafficMirrorFilterId\": \"tmf-04812ff784b25ae67\", \"TrafficDirection\": \"" + direction +
                    "\", \"RuleNumber\": 50, \"RuleAction\": \"reject\", \"Protocol\": 1, " +
                    "\"DestinationCidrBlock\": \"0.0.0.0/0\", \"SourceCidrBlock\": \"0.0.0.0/0\" },");
            }
        }
        final Path file = temp.resolve(name);
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Scrapes mirror run's /metrics until the copies mirrored reach {@code mirrored} and, when {@code rule} is given,
     * its hits reach {@code hits}: libpcap hands frames over a block at a time, so a signal sent at once could
     * overtake the last frames sent. Returns the last scrape.
     */
    private static String awaitMetrics(final int port, final String name, final long mirrored, final String rule,
        final long hits) throws Exception
    {
        final HttpClient client = HttpClient.newHttpClient();
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .GET().build();
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (true)
        {
            final HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET /metrics").isEqualTo(200);
            final String scrape = response.body();
            if (counter(scrape, name, null) >= mirrored && (rule == null || counter(scrape, RULE_HITS, rule) >= hits) ||
                System.nanoTime() > deadline)
            {
                return scrape;
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return free.getLocalPort();
        }
    }

    private void tcpToPeer() throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(peerSide.address(), TrafficPeer.TCP_PORT), 5_000);
            socket.setSoTimeout(5_000);
            final byte[] data = new byte[3000];
            Arrays.fill(data, (byte)'x');
            socket.getOutputStream().write(data);
            socket.shutdownOutput();
            final InputStream in = socket.getInputStream();
            int echoed = 0;
            for (int n = in.read(data); n >= 0; n = in.read(data))
            {
                echoed += n;
            }
            assertThat(echoed).as("bytes the peer echoed").isEqualTo(data.length);
        }
    }

    private void tcpFromPeer(final int port) throws Exception
    {
        final int done = (int)peer.out().lines().filter(TrafficPeer.DONE::equals).count();
        peer.send("connect " + host + " " + port);
        peer.await(false, TrafficPeer.DONE, done + 1, WAIT);
    }

    private void udpToPeer(final int port, final String text, final int count) throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, 0)))
        {
            socket.setSoTimeout(5_000);
            for (int i = 0; i < count; i++)
            {
                final byte[] payload = (text + " " + i).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(peerSide.address(), port)));
                final DatagramPacket reply = new DatagramPacket(new byte[512], 512);
                socket.receive(reply);
            }
        }
    }

    /** ICMP echo requests to the peer; as root the JDK's isReachable sends them through a raw socket. */
    private void ping(final int count) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            assertThat(InetAddress.getByName(peerSide.address()).isReachable(2_000)).as("echo reply").isTrue();
        }
    }

    /** Echoes each connection's bytes, then closes it. */
    private ServerSocket echoServer(final int port) throws IOException
    {
        final ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(host, port));
        final Thread thread = new Thread(() -> TrafficPeer.serveTcp(server), "run-interop-echo-" + port);
        thread.setDaemon(true);
        thread.start();
        return server;
    }

    /** A listener on port 22 of the host, unless one (an SSH server) already takes every address's port 22. */
    private ServerSocket sshListener() throws IOException
    {
        try
        {
            return echoServer(SSH);
        }
        catch (final IOException ex)
        {
            return new ServerSocket();
        }
    }

    /** An IPv4 frame to or from the host's address. */
    private boolean isHostsIpv4(final byte[] frame)
    {
        if (frame.length < 34 || u16(frame, 12) != 0x0800)
        {
            return false;
        }
        final byte[] address = ipv4(host);
        return Arrays.equals(frame, 26, 30, address, 0, 4) || Arrays.equals(frame, 30, 34, address, 0, 4);
    }

    /** TCP over IPv4 whose destination port is 22 or source port 22: SSH to the host, or the host's replies. */
    private static boolean isSshToHost(final byte[] frame)
    {
        if (frame.length < 38 || u16(frame, 12) != 0x0800 || (frame[23] & 0xFF) != 6)
        {
            return false;
        }
        final int transport = 14 + (frame[14] & 0x0F) * 4;
        return u16(frame, transport) == SSH || u16(frame, transport + 2) == SSH;
    }

    /** One word per frame, for messages: protocol, ports or ICMP type, and length. */
    private static String describe(final List<byte[]> frames)
    {
        final StringBuilder text = new StringBuilder();
        for (final byte[] frame : frames)
        {
            final int transport = 14 + (frame[14] & 0x0F) * 4;
            final int protocol = frame[23] & 0xFF;
            text.append(protocol == 1 ? "icmp" + (frame[transport] & 0xFF) :
                (protocol == 6 ? "tcp" : "udp") + u16(frame, transport) + ">" + u16(frame, transport + 2))
                .append('/').append(frame.length).append(' ');
        }
        return text.toString();
    }

    private static boolean isEchoReply(final byte[] frame)
    {
        return frame.length > 34 && u16(frame, 12) == 0x0800 && (frame[23] & 0xFF) == 1 &&
            (frame[14 + (frame[14] & 0x0F) * 4] & 0xFF) == 0;
    }

    private static byte[] ipv4(final String address)
    {
        try
        {
            return InetAddress.getByName(address).getAddress();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static boolean contains(final byte[] frame, final String text)
    {
        return new String(frame, StandardCharsets.ISO_8859_1).contains(text);
    }

    /** The sum of a counter's series on a scrape, only those whose labels contain {@code labels} when given. */
    private static long counter(final String scrape, final String name, final String labels)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} ([0-9.Ee+]+)$").matcher(scrape);
        long total = 0;
        while (matcher.find())
        {
            if (labels == null || matcher.group(1).contains(labels))
            {
                total += (long)Double.parseDouble(matcher.group(2));
            }
        }
        return total;
    }

    private static int u16(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFF) << 8 | bytes[offset + 1] & 0xFF;
    }
}
