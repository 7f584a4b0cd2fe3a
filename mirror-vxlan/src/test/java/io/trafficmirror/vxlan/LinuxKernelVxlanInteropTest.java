package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.Tshark;
import io.trafficmirror.testing.TsharkCapture;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the Linux kernel's own VXLAN implementation. The test builds a private network namespace joined to
 * the root namespace by a veth pair, with a kernel {@code vxlan} device in it (VNI 4242, port 4789, a static
 * remote pointing at the root side), and talks only to that namespace, using addresses from 198.18.0.0/15
 * (outer) and 192.0.2.0/24 (inner). Needs root, {@code ip netns} and tshark; skipped with a message otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinuxKernelVxlanInteropTest
{
    private static final int VNI = 4242;
    private static final String VXLAN_MAC = "02:00:5e:00:00:01";
    private static final String NEIGHBOUR_MAC = "02:00:5e:00:00:02";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(10);

    private String namespace;
    private String rootVeth;
    private String rootAddress;
    private String namespaceAddress;

    @TempDir
    Path temp;

    @BeforeAll
    void createNamespace() throws IOException, InterruptedException
    {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
            "not Linux: skipping the kernel VXLAN interop test");
        assumeTrue(commandSucceeds(List.of("id", "-u"), "0"),
            "not root: skipping the kernel VXLAN interop test (it creates a network namespace; CI runs as root)");
        assumeTrue(Tshark.available(), "tshark is not installed: skipping the kernel VXLAN interop test");

        final String suffix = Long.toString(ProcessHandle.current().pid() % 46656, 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);
        final int subnet = 1 + ThreadLocalRandom.current().nextInt(254);
        final String candidate = "tmvx-" + suffix;
        assumeTrue(commandSucceeds(List.of("ip", "netns", "add", candidate), ""),
            "'ip netns add' does not work here: skipping the kernel VXLAN interop test");
        namespace = candidate;
        rootVeth = "tmva" + suffix;
        final String namespaceVeth = "tmvb" + suffix;
        rootAddress = "198.19." + subnet + ".1";
        namespaceAddress = "198.19." + subnet + ".2";

        run("ip", "link", "add", rootVeth, "type", "veth", "peer", "name", namespaceVeth);
        run("ip", "link", "set", namespaceVeth, "netns", namespace);
        run("ip", "addr", "add", rootAddress + "/24", "dev", rootVeth);
        run("ip", "link", "set", rootVeth, "up");
        run("ip", "-n", namespace, "link", "set", "lo", "up");
        run("ip", "-n", namespace, "addr", "add", namespaceAddress + "/24", "dev", namespaceVeth);
        run("ip", "-n", namespace, "link", "set", namespaceVeth, "up");
        // No IPv6 inside, so that no router solicitation or MLD report mixes into the captures.
        run("ip", "netns", "exec", namespace, "sysctl", "-qw",
            "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        run("ip", "-n", namespace, "link", "add", "vx0", "address", VXLAN_MAC, "type", "vxlan", "id", Integer.toString(VNI),
            "dstport", "4789", "local", namespaceAddress, "remote", rootAddress, "dev", namespaceVeth, "nolearning");
        run("ip", "-n", namespace, "addr", "add", "192.0.2.1/24", "dev", "vx0");
        run("ip", "-n", namespace, "link", "set", "vx0", "up");
        run("ip", "-n", namespace, "neigh", "add", "192.0.2.2", "lladdr", NEIGHBOUR_MAC, "dev", "vx0", "nud", "permanent");
    }

    @AfterAll
    void deleteNamespace() throws IOException, InterruptedException
    {
        if (namespace != null)
        {
            commandSucceeds(List.of("ip", "netns", "del", namespace), "");
            commandSucceeds(List.of("ip", "link", "del", rootVeth), "");
        }
    }

    @Test
    void shouldDecodeFramesTheKernelEncapsulatesToItsVniAndExactInnerFrame() throws Exception
    {
        final int count = 3;
        final List<byte[]> decodedInner = new ArrayList<>();
        final List<Integer> vnis = new ArrayList<>();
        final Path innerFile = temp.resolve("kernel-vx0.pcap");
        final Path outerFile = temp.resolve("kernel-veth.pcap");
        try (DatagramChannel channel = DatagramChannel.open();
            TsharkCapture inner = TsharkCapture.start(inNamespace(), "vx0", null, count, Duration.ofSeconds(20),
                innerFile);
            TsharkCapture outer = TsharkCapture.start(List.of(), rootVeth, "udp dst port 4789", count,
                Duration.ofSeconds(20), outerFile))
        {
            // Bound to this test's own address only; reuse lets it coexist with a wildcard socket on 4789 that sets it too.
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(InetAddress.getByName(rootAddress), 4789));
            channel.configureBlocking(false);

            run("ip", "netns", "exec", namespace, "bash", "-c",
                "for i in 1 2 3; do echo \"mirrored frame $i\" > /dev/udp/192.0.2.2/9999; done");

            final ByteBuffer datagram = ByteBuffer.allocateDirect(65536);
            final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
            final long deadline = System.nanoTime() + RECEIVE_TIMEOUT.toNanos();
            while (decodedInner.size() < count && System.nanoTime() < deadline)
            {
                datagram.clear();
                if (channel.receive(datagram) == null)
                {
                    Thread.sleep(10);
                    continue;
                }
                assertThat(decoder.decodeVxlanPayload(datagram, 0, datagram.position())).isEqualTo(ResultCode.OK);
                vnis.add(decoder.vni());
                final byte[] frame = new byte[decoder.innerLength()];
                datagram.get(decoder.innerOffset(), frame);
                decodedInner.add(frame);
            }

            assertThat(decodedInner).as("VXLAN datagrams from the kernel within " + RECEIVE_TIMEOUT).hasSize(count);
            assertThat(vnis).containsOnly(VNI);

            // What the kernel sent on vx0 before encapsulating it, as captured there.
            final List<Pcap.Packet> sentOnVx0 = inner.packets(Duration.ofSeconds(25));
            assertThat(sentOnVx0).hasSize(count);
            for (int i = 0; i < count; i++)
            {
                final byte[] frame = decodedInner.get(i);
                assertThat(frame).isEqualTo(sentOnVx0.get(i).data());
                assertThat(mac(frame, 0)).isEqualTo(NEIGHBOUR_MAC);
                assertThat(mac(frame, 6)).isEqualTo(VXLAN_MAC);
                assertThat(new String(frame, frame.length - 17, 17, StandardCharsets.US_ASCII))
                    .isEqualTo("mirrored frame " + (i + 1) + "\n");
            }

            // The same packets as whole frames on the root side of the veth: the full-frame decoder agrees.
            final List<Pcap.Packet> onVeth = outer.packets(Duration.ofSeconds(25));
            assertThat(onVeth).hasSize(count);
            for (int i = 0; i < count; i++)
            {
                final byte[] frame = onVeth.get(i).data();
                assertThat(decoder.decodeFrame(frame, 0, frame.length)).isEqualTo(ResultCode.OK);
                assertThat(decoder.vni()).isEqualTo(VNI);
                assertThat(InetAddress.getByAddress(Arrays.copyOfRange(frame, decoder.sourceAddressOffset(),
                    decoder.sourceAddressOffset() + 4)).getHostAddress()).isEqualTo(namespaceAddress);
                assertThat(Arrays.copyOfRange(frame, decoder.innerOffset(), decoder.innerOffset() + decoder.innerLength()))
                    .isEqualTo(decodedInner.get(i));
            }
        }
    }

    @Test
    void shouldHaveTheKernelDeliverOurEncodedFramesUnchangedOnItsVxlanDevice() throws Exception
    {
        final List<byte[]> frames = List.of(
            udpFrame("frame for the kernel"),
            arpRequest(),
            experimentalEtherTypeFrame(),
            tcpInnerFrame());
        final OuterHeadersEncoder encoder = new OuterHeadersEncoder()
            .macAddresses(new byte[6], new byte[6])
            .addresses(InetAddress.getByName(rootAddress), InetAddress.getByName(namespaceAddress))
            .vni(VNI);
        final OuterHeadersEncoder truncating = new OuterHeadersEncoder()
            .addresses(InetAddress.getByName(rootAddress), InetAddress.getByName(namespaceAddress))
            .vni(VNI)
            .packetLength(40);

        final List<byte[]> expected = new ArrayList<>();
        final List<ByteBuffer> payloads = new ArrayList<>();
        for (final byte[] frame : frames)
        {
            payloads.add(udpPayload(encoder, frame));
            expected.add(frame);
        }
        payloads.add(udpPayload(truncating, frames.get(0)));
        expected.add(Arrays.copyOf(frames.get(0), 40));

        final Path file = temp.resolve("delivered-vx0.pcap");
        try (DatagramChannel channel = DatagramChannel.open();
            TsharkCapture capture = TsharkCapture.start(
                inNamespace(), "vx0", "not ether src " + VXLAN_MAC, expected.size(), Duration.ofSeconds(20), file))
        {
            channel.bind(new InetSocketAddress(InetAddress.getByName(rootAddress), 0));
            final InetSocketAddress kernel = new InetSocketAddress(InetAddress.getByName(namespaceAddress), 4789);
            for (final ByteBuffer payload : payloads)
            {
                assertThat(channel.send(payload, kernel)).isPositive();
                TimeUnit.MILLISECONDS.sleep(20);
            }

            final List<Pcap.Packet> delivered = capture.packets(Duration.ofSeconds(25));
            assertThat(delivered).as("frames out of the kernel's vx0; tshark said: %s", capture.log())
                .hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++)
            {
                assertThat(delivered.get(i).data()).as("frame %d", i).isEqualTo(expected.get(i));
            }
        }
    }

    /** The UDP payload (VXLAN header and inner bytes) of the packet the encoder builds, as a socket sends it. */
    private static ByteBuffer udpPayload(final OuterHeadersEncoder encoder, final byte[] frame)
    {
        final int headroom = encoder.headerLength();
        final ByteBuffer packet = ByteBuffer.allocateDirect(headroom + frame.length);
        packet.put(headroom, frame);
        final int length = encoder.encodeInHeadroom(packet, headroom, frame.length);
        assertThat(length).isPositive();
        final int udpPayloadOffset = headroom - VxlanHeaderEncoder.HEADER_LENGTH;
        return packet.limit(length).position(udpPayloadOffset).slice();
    }

    private static byte[] udpFrame(final String text)
    {
        final byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        frame.put(macBytes(VXLAN_MAC)).put(macBytes(NEIGHBOUR_MAC)).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)(28 + payload.length)).putShort((short)1).putShort((short)0)
            .put((byte)64).put((byte)17).putShort((short)0)
            .put(new byte[] {(byte)192, 0, 2, 2}).put(new byte[] {(byte)192, 0, 2, 1});
        frame.putShort((short)40000).putShort((short)9).putShort((short)(8 + payload.length)).putShort((short)0).put(payload);
        return frame.array();
    }

    private static byte[] arpRequest()
    {
        return HexFormat.of().parseHex(
            "ffffffffffff" + NEIGHBOUR_MAC.replace(":", "") + "0806" + "0001080006040001"
                + NEIGHBOUR_MAC.replace(":", "") + "c0000202" + "000000000000" + "c000024d");
    }

    private static byte[] experimentalEtherTypeFrame()
    {
        final byte[] frame = new byte[64];
        System.arraycopy(macBytes(VXLAN_MAC), 0, frame, 0, 6);
        System.arraycopy(macBytes(NEIGHBOUR_MAC), 0, frame, 6, 6);
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        for (int i = 14; i < frame.length; i++)
        {
            frame[i] = (byte)(i * 7);
        }
        return frame;
    }

    private static byte[] tcpInnerFrame()
    {
        return MirroredTraffic.innerFrame(0);
    }

    private List<String> inNamespace()
    {
        return List.of("ip", "netns", "exec", namespace);
    }

    private static String mac(final byte[] frame, final int offset)
    {
        return HexFormat.ofDelimiter(":").formatHex(frame, offset, offset + 6);
    }

    private static byte[] macBytes(final String mac)
    {
        return HexFormat.ofDelimiter(":").parseHex(mac);
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        if (process.exitValue() != 0)
        {
            throw new IOException("failed (" + process.exitValue() + "): " + String.join(" ", command) + ": "
                + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static boolean commandSucceeds(final List<String> command, final String expectedOutput)
        throws InterruptedException
    {
        try
        {
            final Path output = Files.createTempFile("tmvx", ".out");
            try
            {
                final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
                if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly();
                    return false;
                }
                return process.exitValue() == 0
                    && (expectedOutput.isEmpty() || Files.readString(output).trim().equals(expectedOutput));
            }
            finally
            {
                Files.deleteIfExists(output);
            }
        }
        catch (final IOException e)
        {
            return false;
        }
    }
}
