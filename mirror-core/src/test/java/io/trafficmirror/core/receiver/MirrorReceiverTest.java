package io.trafficmirror.core.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.trafficmirror.core.capture.CaptureFormat;
import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;
import io.trafficmirror.vxlan.OuterHeadersEncoder;
import io.trafficmirror.vxlan.VxlanHeaderEncoder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver over loopback: real mirrored traffic (the UDP payloads of the shared captures) and datagrams made
 * with mirror-vxlan's encoder go in; what comes out is compared with what tshark reads in the original captures.
 * Every test runs on the JDK transport here and on Netty's epoll transport in {@link NativeMirrorReceiverTest}.
 */
@Timeout(30)
class MirrorReceiverTest
{
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int AWS_VNI = 5_569_041;
    private static final List<String> INNER_FIELDS = List.of("frame.len", "frame.protocols", "eth.src", "eth.dst",
        "eth.type");

    @TempDir
    Path temp;

    /** The transport every receiver of this class is opened with. */
    DatagramTransport transport()
    {
        return DatagramTransport.JDK;
    }

    MirrorReceiver.Builder builder()
    {
        return MirrorReceiver.builder().transport(transport());
    }

    @Test
    void shouldHandEveryFrameOfTheProjectsVxlanTrafficToTheHandlerWithItsVniAndSender() throws Exception
    {
        assertHandsEveryFrame(MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE), MirroredTraffic.VXLAN_VNI);
    }

    @Test
    void shouldHandEveryRealAwsFrameToTheHandlerWithItsVniAndSender() throws Exception
    {
        assertHandsEveryFrame(SharedCaptures.file(SharedCaptures.AWS_CAPTURE), AWS_VNI);
    }

    private void assertHandsEveryFrame(final Path capture, final int vni) throws Exception
    {
        final List<byte[]> payloads = UdpPayloads.of(capture, 4789);
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(delivered))
            .open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));

            assertThat(payloads).hasSize(100);
            assertThat(delivered).hasSize(100);
            for (int i = 0; i < payloads.size(); i++)
            {
                final byte[] payload = payloads.get(i);
                assertThat(delivered.get(i).frame).isEqualTo(Arrays.copyOfRange(payload, 8, payload.length));
                assertThat(delivered.get(i).sender).isEqualTo(sender.localAddress());
            }
            assertThat(delivered).extracting(d -> d.vni).containsOnly(vni);
            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(100, 100,
                payloads.stream().mapToLong(p -> p.length - 8).sum(), 0, 0, 0, 0));
        }
        if (Tshark.toolsAvailable())
        {
            assertThat(tsharkColumn(capture, "vxlan.vni")).containsOnly(String.valueOf(vni));
        }
    }

    @Test
    void shouldTimestampFramesWithTheWallClock() throws Exception
    {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(delivered))
            .open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            final long before = System.currentTimeMillis();
            sender.send(List.of(vxlan(7, 60)), () -> handled(receiver));
            final long after = System.currentTimeMillis();

            assertThat(delivered.get(0).epochNanos / 1_000_000).isBetween(before - 50, after + 50);
        }
    }

    @Test
    void shouldDecodeTheProjectsGenevePayloadsWhenToldTheyAreGeneve() throws Exception
    {
        assertDecodesGeneve(MirroredTraffic.capture(MirroredTraffic.GENEVE_CAPTURE));
    }

    @Test
    void shouldDecodeRealGenevePayloadsWhenToldTheyAreGeneve() throws Exception
    {
        assertDecodesGeneve(SharedCaptures.file(SharedCaptures.GENEVE_CAPTURE));
    }

    private void assertDecodesGeneve(final Path capture) throws Exception
    {
        final List<byte[]> payloads = UdpPayloads.of(capture, 6081);
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT)
            .encapsulation(Encapsulation.GENEVE).handler(collectInto(delivered)).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));

            assertThat(receiver.encapsulation()).isEqualTo(Encapsulation.GENEVE);
            assertThat(delivered).hasSize(10);
            for (int i = 0; i < payloads.size(); i++)
            {
                final byte[] payload = payloads.get(i);
                final int header = 8 + (payload[0] & 0x3F) * 4;
                assertThat(delivered.get(i).frame).isEqualTo(Arrays.copyOfRange(payload, header, payload.length));
            }
            final List<Integer> expectedVnis = Tshark.toolsAvailable()
                ? tsharkColumn(capture, "geneve.vni").stream().map(Integer::decode).collect(Collectors.toList())
                : Collections.nCopies(10, 123);
            assertThat(delivered).extracting(d -> d.vni).isEqualTo(expectedVnis);
        }
    }

    @Test
    void shouldWriteOnePcapPerVniThatTsharkReadsAsTheInnerFramesOfTheProjectsOriginals(@TempDir final Path sent)
        throws Exception
    {
        Tshark.assumeToolsAvailable();
        // Three sessions: 100 packets of VNI 4712345, 16 of VNI 100, 4 of VNI 11 with reserved flag bits set.
        final int[][] sessions = {{100, 0x08, MirroredTraffic.VXLAN_VNI}, {16, 0x08, 100}, {4, 0xFF, 11}};
        final List<Path> originals = new ArrayList<>();
        for (final int[] session : sessions)
        {
            final List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < session[0]; i++)
            {
                packets.add(MirroredTraffic.vxlan(i, session[1], session[2]));
            }
            final Path original = sent.resolve("vni-" + session[2] + "-sent.pcap");
            Pcap.write(original, packets);
            originals.add(original);
        }
        assertOnePcapPerVni(originals, new String[] {"vni-" + MirroredTraffic.VXLAN_VNI + ".pcap", "vni-100.pcap",
            "vni-11.pcap"});
    }

    @Test
    void shouldWriteOnePcapPerVniThatTsharkReadsAsTheInnerFramesOfTheOriginals() throws Exception
    {
        Tshark.assumeToolsAvailable();
        final List<Path> originals = List.of(SharedCaptures.file(SharedCaptures.AWS_CAPTURE),
            SharedCaptures.file("vxlan-vni100-icmp.pcap"), SharedCaptures.file("vxlan-reserved-bits-set.pcap"));
        assertOnePcapPerVni(originals, new String[] {"vni-5569041.pcap", "vni-100.pcap", "vni-11.pcap"});
    }

    private void assertOnePcapPerVni(final List<Path> originals, final String[] perVni) throws Exception
    {
        final List<byte[]> payloads = new ArrayList<>();
        for (final Path original : originals)
        {
            payloads.addAll(UdpPayloads.of(original, 4789));
        }
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapPerVni(temp, 0).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
            assertThat(receiver.counters().accepted()).isEqualTo(120);
        }

        assertThat(fileNames(temp)).containsExactlyInAnyOrder(perVni);
        for (int i = 0; i < originals.size(); i++)
        {
            final Path original = originals.get(i);
            final Path written = temp.resolve(perVni[i]);
            assertThat(Tshark.packetCount(written)).isEqualTo(Tshark.packetCount(original));
            final List<String[]> ours = tsharkRows(written, INNER_FIELDS);
            final List<String[]> theirs = tsharkRows(original, INNER_FIELDS);
            assertThat(ours).hasSameSizeAs(theirs);
            for (int row = 0; row < ours.size(); row++)
            {
                final String[] inner = ours.get(row);
                final String[] outer = theirs.get(row);
                // The inner frame is what follows the 50 bytes of outer Ethernet, IPv4, UDP and VXLAN headers.
                assertThat(Integer.parseInt(inner[0])).as("frame %d length in %s", row + 1, written)
                    .isEqualTo(Integer.parseInt(outer[0]) - 50);
                // The inner protocol stack: what the original shows after "vxlan:" is all that ours shows.
                assertThat(inner[1]).isEqualTo(outer[1].substring(outer[1].indexOf(":vxlan:") + ":vxlan:".length()));
                // Ethernet fields: the last occurrence in the original is the inner frame's, the only one in ours.
                assertThat(Arrays.copyOfRange(inner, 2, 5)).isEqualTo(Arrays.copyOfRange(outer, 2, 5));
            }
        }
    }

    @Test
    void shouldRotatePerVniFilesBySizeWithoutLosingOrReorderingFrames() throws Exception
    {
        final Path capture = MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE);
        final List<byte[]> payloads = UdpPayloads.of(capture, 4789);
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapPerVni(temp, 4096).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
        }

        final List<String> names = fileNames(temp);
        assertThat(names.size()).isGreaterThan(3);
        assertThat(names).allMatch(name -> name.matches("vni-" + MirroredTraffic.VXLAN_VNI + "-\\d{6}\\.pcap"));
        final List<byte[]> frames = new ArrayList<>();
        for (final String name : names)
        {
            final Path file = temp.resolve(name);
            final List<byte[]> inFile = framesOf(file);
            assertThat(Files.size(file)).as(name).satisfiesAnyOf(
                size -> assertThat(size).isLessThanOrEqualTo(4096),
                size -> assertThat(inFile).hasSize(1));
            frames.addAll(inFile);
            if (Tshark.toolsAvailable())
            {
                assertThat(Tshark.packetCount(file)).isEqualTo(inFile.size());
            }
        }
        assertThat(frames).hasSize(100);
        for (int i = 0; i < 100; i++)
        {
            assertThat(frames.get(i)).isEqualTo(Arrays.copyOfRange(payloads.get(i), 8, payloads.get(i).length));
        }
    }

    @Test
    void shouldFlushFilesWhileRunningSoThatTheyCanBeReadLive() throws Exception
    {
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapPerVni(temp, 0).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(List.of(vxlan(8, 100), vxlan(8, 100), vxlan(8, 100)), () -> handled(receiver));

            final Path file = temp.resolve("vni-8.pcap");
            final long expectedSize = 24 + 3 * (16 + 100);
            final long deadline = System.nanoTime() + 2_000_000_000L;
            while ((!Files.exists(file) || Files.size(file) < expectedSize) && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertThat(Files.size(file)).as("flushed within %d ms", MirrorReceiver.FLUSH_INTERVAL_MILLIS)
                .isEqualTo(expectedSize);
            assertThat(framesOf(file)).hasSize(3);
            assertThat(receiver.stopReason()).as("still running").isEmpty();
        }
    }

    @Test
    void shouldWriteEveryVniIntoOneRotatingFileWhenAsked() throws Exception
    {
        final Path file = temp.resolve("all.pcap");
        final List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            payloads.add(vxlan(i % 3, 200));
        }
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapFile(file, 2048).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
        }
        final List<String> names = fileNames(temp);
        assertThat(names).first().isEqualTo("all-000000.pcap");
        int frames = 0;
        for (final String name : names)
        {
            frames += framesOf(temp.resolve(name)).size();
        }
        assertThat(frames).isEqualTo(40);
    }

    @Test
    void shouldDropAndCountSendersOutsideTheAllowlist() throws Exception
    {
        final List<byte[]> payloads = List.of(vxlan(1, 60), vxlan(1, 60), vxlan(1, 60));
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (MirrorReceiver refusing = builder().bind(LOOPBACK_ANY_PORT)
            .allowSenders(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")))
            .handler(collectInto(delivered)).open();
            LoopbackSender sender = new LoopbackSender(refusing.localAddress()))
        {
            refusing.start();
            sender.send(payloads, () -> handled(refusing));
            assertThat(refusing.counters()).isEqualTo(new ReceiverCounters(3, 0, 0, 3, 0, 0, 0));
        }
        try (MirrorReceiver allowing = builder().bind(LOOPBACK_ANY_PORT)
            .allowSenders(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("127.0.0.1/32")))
            .handler(collectInto(delivered)).open();
            LoopbackSender sender = new LoopbackSender(allowing.localAddress()))
        {
            allowing.start();
            sender.send(payloads, () -> handled(allowing));
            assertThat(allowing.counters().accepted()).isEqualTo(3);
            assertThat(allowing.counters().droppedSender()).isZero();
        }
        assertThat(delivered).hasSize(3);
    }

    @Test
    void shouldDropAndCountVnisOutsideTheAllowlist() throws Exception
    {
        final List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 30; i++)
        {
            payloads.add(vxlan(i % 3 == 0 ? 100 : 200 + i, 60));
        }
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).allowVnis(100, 16_777_215)
            .handler(collectInto(delivered)).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));

            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(30, 10, 600, 0, 20, 0, 0));
            assertThat(delivered).extracting(d -> d.vni).containsOnly(100);
        }
    }

    @Test
    void shouldCountMalformedDatagramsAndKeepReceiving() throws Exception
    {
        final byte[] flagClear = vxlan(5, 60);
        flagClear[0] = 0;
        final List<byte[]> garbage = List.of(new byte[0], new byte[] {8, 0, 0}, flagClear, vxlan(5, 60));
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(null))
            .open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(garbage, () -> handled(receiver));

            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(4, 1, 60, 0, 0, 3, 0));
        }
    }

    @Test
    void shouldCountBadGeneveAndGeneveThatCarriesNoFrame() throws Exception
    {
        final byte[] ipPayload = {0, 0, 0x08, 0x00, 0, 0, 1, 0, 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1,
            10, 0, 0, 2};
        final byte[] badVersion = {(byte)0x40, 0, 0x65, 0x58, 0, 0, 1, 0};
        final byte[] critical = {0, 0x40, 0x65, 0x58, 0, 0, 1, 0};
        final byte[] frame = new byte[68];
        System.arraycopy(new byte[] {0, 0, 0x65, 0x58, 0, 0, 9, 0}, 0, frame, 0, 8);
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT)
            .encapsulation(Encapsulation.GENEVE).handler(collectInto(null)).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(List.of(ipPayload, badVersion, critical, frame), () -> handled(receiver));

            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(4, 1, 60, 0, 0, 2, 1));
        }
    }

    @Test
    void shouldDeliverJumboAndLargestDatagramsIntact() throws Exception
    {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        final byte[] jumbo = vxlan(9, 9_000);
        // The largest UDP payload over IPv4: 65535 - 20 - 8. Loopback's MTU (65536) carries it unfragmented.
        final byte[] largest = vxlan(9, 65_507 - 8);
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(delivered))
            .open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(List.of(jumbo, largest), () -> handled(receiver));
        }
        assertThat(delivered.get(0).frame).hasSize(9_000).isEqualTo(Arrays.copyOfRange(jumbo, 8, jumbo.length));
        assertThat(delivered.get(1).frame).hasSize(65_499).isEqualTo(Arrays.copyOfRange(largest, 8, largest.length));
    }

    @Test
    void shouldReceiveWhatTheOuterHeadersEncoderSendsIncludingANineThousandByteFrame() throws Exception
    {
        // A jumbo target path (MTU 9216) carries a 9000-byte frame whole: 9000 + 50 bytes of outer headers.
        final OuterHeadersEncoder encoder = new OuterHeadersEncoder()
            .addresses(InetAddress.getByName("172.31.0.238"), InetAddress.getLoopbackAddress())
            .vni(AWS_VNI).mtu(9216);
        final int headroom = encoder.headerLength();
        final List<byte[]> frames = List.of(patterned(9_000), patterned(60), patterned(1514));
        final List<byte[]> datagrams = new ArrayList<>();
        for (final byte[] frame : frames)
        {
            final byte[] packet = new byte[headroom + frame.length];
            System.arraycopy(frame, 0, packet, headroom, frame.length);
            final int length = encoder.encodeInHeadroom(ByteBuffer.wrap(packet), headroom, frame.length);
            assertThat(length).isEqualTo(headroom + frame.length);
            // What a socket delivers: everything after outer Ethernet (14), IPv4 (20) and UDP (8).
            datagrams.add(Arrays.copyOfRange(packet, 42, length));
        }
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(delivered))
            .open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(datagrams, () -> handled(receiver));
        }
        assertThat(delivered).extracting(d -> d.frame).containsExactlyElementsOf(frames);
        assertThat(delivered).extracting(d -> d.vni).containsOnly(AWS_VNI);
    }

    @Test
    void shouldDropVnisBeyondTheNumberGivenFiles() throws Exception
    {
        final List<byte[]> payloads = List.of(vxlan(1, 60), vxlan(2, 60), vxlan(3, 60), vxlan(1, 60));
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapPerVni(temp, 0)
            .maxVnis(2).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));

            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(4, 3, 180, 0, 1, 0, 0));
        }
        assertThat(fileNames(temp)).containsExactly("vni-1.pcap", "vni-2.pcap");
        assertThat(framesOf(temp.resolve("vni-1.pcap"))).hasSize(2);
    }

    @Test
    void shouldStopAndKeepTheFilesWhenTheLoopThreadIsInterrupted() throws Exception
    {
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapPerVni(temp, 0).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            final StopReason[] reason = new StopReason[1];
            final Thread loop = new Thread(() ->
            {
                try
                {
                    reason[0] = receiver.run();
                }
                catch (final IOException e)
                {
                    throw new IllegalStateException(e);
                }
            });
            loop.start();
            sender.send(List.of(vxlan(4, 80), vxlan(4, 80)), () -> handled(receiver));

            loop.interrupt();
            loop.join(2_000);

            assertThat(loop.isAlive()).isFalse();
            assertThat(reason[0]).isEqualTo(StopReason.STOPPED);
            assertThat(framesOf(temp.resolve("vni-4.pcap"))).hasSize(2);
        }
    }

    @Test
    void shouldReceiveOverIpv6Loopback() throws Exception
    {
        final InetAddress ipv6Loopback = InetAddress.getByName("::1");
        assumeTrue(NetworkInterface.getByInetAddress(ipv6Loopback) != null, "no ::1 on this host: skipping IPv6");
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (MirrorReceiver receiver = builder().bind(new InetSocketAddress(ipv6Loopback, 0))
            .allowSenders(List.of(Cidr.parse("::1/128"))).handler(collectInto(delivered)).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(List.of(vxlan(6, 100)), () -> handled(receiver));

            assertThat(delivered).singleElement().satisfies(d ->
            {
                assertThat(d.vni).isEqualTo(6);
                assertThat(d.sender.getAddress()).isEqualTo(ipv6Loopback);
            });
        }
    }

    @Test
    void shouldStopAfterTheFrameLimit() throws Exception
    {
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).maxFrames(5)
            .handler(collectInto(null)).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            final List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                payloads.add(vxlan(1, 60));
            }
            sender.send(payloads, () -> handled(receiver));
            assertThat(receiver.awaitStop(Duration.ofSeconds(5))).isTrue();
            sender.sendWithoutWaiting(vxlan(1, 60));
            Thread.sleep(100);

            assertThat(receiver.stopReason()).contains(StopReason.FRAME_LIMIT);
            assertThat(receiver.counters().accepted()).isEqualTo(5);
        }
    }

    @Test
    void shouldStopAfterTheDurationOnTheCallersThread() throws Exception
    {
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT)
            .maxDuration(Duration.ofMillis(300)).handler(collectInto(null)).open())
        {
            final long start = System.nanoTime();
            final StopReason reason = receiver.run();
            final long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(reason).isEqualTo(StopReason.DURATION);
            assertThat(elapsedMillis).isBetween(290L, 2_000L);
        }
    }

    @Test
    void shouldCloseWithinASecondAndRefuseToRunAgain() throws Exception
    {
        final MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapPerVni(temp, 0).open();
        receiver.start();
        Thread.sleep(100);

        final long start = System.nanoTime();
        receiver.close();
        final long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(elapsedMillis).isLessThan(1_000);
        assertThat(receiver.awaitStop(Duration.ZERO)).isTrue();
        assertThat(receiver.stopReason()).contains(StopReason.STOPPED);
        assertThat(receiver.failure()).isEmpty();
        receiver.close();
        assertThatThrownBy(receiver::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldStopWithTheFailureWhenTheHandlerThrows() throws Exception
    {
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT)
            .handler((vni, sender, nanos, frame) ->
            {
                throw new IllegalStateException("handler broke");
            }).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(List.of(vxlan(1, 60)), () -> receiver.counters().received());
            assertThat(receiver.awaitStop(Duration.ofSeconds(5))).isTrue();

            assertThat(receiver.stopReason()).contains(StopReason.FAILED);
            assertThat(receiver.failure()).get().extracting(Throwable::getMessage).isEqualTo("handler broke");
            // The datagram the handler failed on is counted, as lost to that failure.
            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(1, 0, 0, 0, 0, 0, 0, 0, 0, 1));
        }
    }

    @Test
    void shouldRefuseAConfigurationWithoutExactlyOneDelivery() throws IOException
    {
        assertThatThrownBy(() -> builder().bind(LOOPBACK_ANY_PORT).open())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("got none");
        assertThatThrownBy(() -> builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(null))
            .pcapPerVni(temp, 0).open()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("handler, pcapPerVni");
        assertThatThrownBy(() -> builder().allowVnis(1 << 24))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder().pcapFile(temp.resolve("x.pcap"), 100))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNotAllocatePerDatagramInTheSteadyState() throws Exception
    {
        assumeTrue(transport() == DatagramTransport.JDK,
            "Netty's transport allocates a packet and a sender address per datagram: only the JDK's is allocation-free");
        final long[] sum = new long[1];
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT)
            .allowVnis(MirroredTraffic.VXLAN_VNI)
            .allowSenders(List.of(Cidr.parse("127.0.0.0/8")))
            .handler((vni, sender, nanos, frame) -> sum[0] += frame.get(frame.position())).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            final Thread loop = new Thread(() ->
            {
                try
                {
                    receiver.run();
                }
                catch (final IOException e)
                {
                    throw new IllegalStateException(e);
                }
            });
            loop.start();
            final List<byte[]> payloads = UdpPayloads.of(MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE), 4789);
            sender.send(payloads, () -> handled(receiver));
            final ThreadMXBean threads =
                (ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long before = threads.getThreadAllocatedBytes(loop.getId());
            for (int round = 0; round < 20; round++)
            {
                sender.send(payloads, () -> handled(receiver));
            }
            final long allocated = threads.getThreadAllocatedBytes(loop.getId()) - before;
            receiver.stop();
            loop.join(5_000);

            assertThat(receiver.counters().accepted()).isEqualTo(2_100);
            // Waiting in the selector when idle may cost a few bytes now and then; 2,000 datagrams must not.
            assertThat(allocated).as("bytes allocated by the loop for 2,000 datagrams").isLessThan(32 * 1024);
        }
    }

    @Test
    void shouldReportTheTransportItWasOpenedWith() throws Exception
    {
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(null)).open())
        {
            assertThat(receiver.transport()).isEqualTo(transport());
        }
    }

    @Test
    void shouldRefuseAPortInUseWithABindException() throws Exception
    {
        try (MirrorReceiver first = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(null)).open())
        {
            assertThatThrownBy(() -> builder().bind(first.localAddress()).handler(collectInto(null)).open())
                .isInstanceOf(BindException.class);
        }
    }

    @Test
    void shouldReportTheSocketReceiveBufferTheKernelGrantedAndWarnWhenItIsLess() throws Exception
    {
        final Path limitFile = Path.of("/proc/sys/net/core/rmem_max");
        assumeTrue(Files.isReadable(limitFile), "no /proc/sys/net/core/rmem_max: not Linux, the cap is unknown");
        // readAllLines, not readString: /proc files claim a size of 0, and readString then stops short here.
        final int limit = Integer.parseInt(Files.readAllLines(limitFile).get(0).trim());
        final int withinLimit = Math.min(limit, 1 << 20);
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).socketReceiveBuffer(withinLimit)
            .handler(collectInto(null)).open())
        {
            assertThat(receiver.socketReceiveBufferAsked()).isEqualTo(withinLimit);
            assertThat(receiver.socketReceiveBufferGranted()).isEqualTo(withinLimit);
            assertThat(receiver.socketReceiveBufferWarning()).isEmpty();
        }
        final int beyondLimit = limit + (1 << 20);
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).socketReceiveBuffer(beyondLimit)
            .handler(collectInto(null)).open())
        {
            assertThat(receiver.socketReceiveBufferGranted()).isEqualTo(limit);
            assertThat(receiver.socketReceiveBufferWarning()).get().asString()
                .contains("asked for a socket receive buffer of " + beyondLimit + " bytes, the kernel granted " + limit)
                .contains("sysctl -w net.core.rmem_max=" + beyondLimit);
        }
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).socketReceiveBuffer(0)
            .handler(collectInto(null)).open())
        {
            assertThat(receiver.socketReceiveBufferAsked()).isZero();
            assertThat(receiver.socketReceiveBufferGranted()).isPositive();
            assertThat(receiver.socketReceiveBufferWarning()).isEmpty();
        }
    }

    @Test
    void shouldAskForTheDefaultSocketReceiveBufferUnlessTold() throws Exception
    {
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).handler(collectInto(null)).open())
        {
            assertThat(receiver.socketReceiveBufferAsked())
                .isEqualTo(MirrorReceiver.DEFAULT_SOCKET_RECEIVE_BUFFER_BYTES);
            assertThat(receiver.socketReceiveBufferWarning().isPresent())
                .isEqualTo(receiver.socketReceiveBufferGranted() < MirrorReceiver.DEFAULT_SOCKET_RECEIVE_BUFFER_BYTES);
        }
    }

    @Test
    void shouldWriteEveryFrameInOrderThroughAQueueItWrapsManyTimes() throws Exception
    {
        // Real mirrored frames, 60-byte and 9000-byte ones: about 900 kB through a queue of about 128 KiB.
        final List<byte[]> payloads = mixedTraffic(8);
        final long totalBytes = payloads.stream().mapToLong(p -> p.length - 8).sum();
        assertThat(totalBytes).isGreaterThan(6L * MirrorReceiver.MIN_WRITE_QUEUE_BYTES);
        final AtomicLong written = new AtomicLong();
        final Path file = temp.resolve("all.pcap");
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapFile(file, 0)
            .writeQueue(MirrorReceiver.MIN_WRITE_QUEUE_BYTES).beforeEachWrite(written::incrementAndGet).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            // Paced on what the writer has taken, so that the queue never overflows however slow the disk is.
            sender.send(payloads, written::get);
            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(payloads.size(), payloads.size(),
                totalBytes, 0, 0, 0, 0, 0));
        }
        assertThat(framesOf(file)).containsExactlyElementsOf(innerFrames(payloads));
    }

    @Test
    void shouldDropAndCountFramesWhenTheWriterFallsBehindAndWriteEveryAcceptedOneOnClose() throws Exception
    {
        final List<byte[]> payloads = mixedTraffic(2);
        final CountDownLatch disk = new CountDownLatch(1);
        final Path file = temp.resolve("slow.pcap");
        final ReceiverCounters counters;
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapFile(file, 0)
            .writeQueue(MirrorReceiver.MIN_WRITE_QUEUE_BYTES).beforeEachWrite(() -> awaitQuietly(disk)).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            // The writer is stuck on its first record: the queue fills, and the rest is dropped, never waited for.
            sender.send(payloads, () -> handled(receiver));
            counters = receiver.counters();
            assertThat(counters.received()).isEqualTo(payloads.size());
            assertThat(counters.droppedWriterBehind()).isPositive();
            assertThat(counters.accepted()).isPositive();
            assertThat(counters.accepted() + counters.droppedWriterBehind()).isEqualTo(counters.received());
            assertThat(counters.acceptedBytes()).isLessThanOrEqualTo(MirrorReceiver.MIN_WRITE_QUEUE_BYTES);
            disk.countDown();
        }
        final List<byte[]> frames = framesOf(file);
        assertThat(frames).hasSize((int)counters.accepted());
        assertThat(frames.stream().mapToLong(f -> f.length).sum()).isEqualTo(counters.acceptedBytes());
        assertThat(isInOrderSubsequence(frames, innerFrames(payloads))).as("written frames in the order sent").isTrue();
    }

    @Test
    void shouldWriteEverythingQueuedBeforeTheLoopEnds() throws Exception
    {
        final CountDownLatch disk = new CountDownLatch(1);
        final List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            payloads.add(vxlan(i % 2 == 0 ? 3 : 4, 100 + i * 7));
        }
        try (MirrorReceiver receiver = builder().bind(LOOPBACK_ANY_PORT).pcapPerVni(temp, 0)
            .beforeEachWrite(() -> awaitQuietly(disk)).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
            assertThat(receiver.counters().accepted()).isEqualTo(50);
            receiver.stop();
            assertThat(receiver.awaitStop(Duration.ofMillis(100))).as("the loop waits for the writer").isFalse();
            disk.countDown();
            assertThat(receiver.awaitStop(Duration.ofSeconds(10))).isTrue();

            final List<byte[]> three = framesOf(temp.resolve("vni-3.pcap"));
            final List<byte[]> four = framesOf(temp.resolve("vni-4.pcap"));
            assertThat(three).hasSize(25);
            assertThat(four).hasSize(25);
            for (int i = 0; i < 25; i++)
            {
                assertThat(three.get(i)).isEqualTo(innerFrames(payloads).get(2 * i));
                assertThat(four.get(i)).isEqualTo(innerFrames(payloads).get(2 * i + 1));
            }
        }
    }


    @Test
    void shouldRefuseAWriteQueueTooSmallForTheLargestFrame()
    {
        assertThatThrownBy(() -> builder().writeQueue(MirrorReceiver.MIN_WRITE_QUEUE_BYTES - 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write queue");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A frame as a handler saw it, copied. */
    record Delivered(int vni, InetSocketAddress sender, long epochNanos, byte[] frame)
    {
    }

    private static FrameHandler collectInto(final List<Delivered> delivered)
    {
        return (vni, sender, epochNanos, frame) ->
        {
            assertThat(frame.isReadOnly()).isTrue();
            if (delivered != null)
            {
                final byte[] bytes = new byte[frame.remaining()];
                frame.get(frame.position(), bytes);
                delivered.add(new Delivered(vni, sender, epochNanos, bytes));
            }
        };
    }

    /**
     * The real AWS datagrams (or, where that capture is not beside the clone, the project's own VXLAN capture),
     * {@code rounds} times, with 60-byte and 9000-byte frames among them: the subject is the receiver's queue, which
     * any realistic mix exercises.
     */
    private static List<byte[]> mixedTraffic(final int rounds) throws IOException
    {
        final Path real = SharedCaptures.directory().resolve(SharedCaptures.AWS_CAPTURE);
        final List<byte[]> aws = UdpPayloads.of(
            Files.isReadable(real) ? real : MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE), 4789);
        final List<byte[]> payloads = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < aws.size(); i++)
            {
                payloads.add(aws.get(i));
                if (i % 10 == round)
                {
                    payloads.add(vxlan(round, 9_000));
                }
                if (i % 7 == 0)
                {
                    payloads.add(vxlan(round, 60));
                }
            }
        }
        return payloads;
    }

    /**
     * Datagrams the receiver has finished with: each outcome is counted after the frame was handed on, while
     * {@code received} is counted first, so waiting on this one leaves no frame in flight.
     */
    static long handled(final MirrorReceiver receiver)
    {
        final ReceiverCounters c = receiver.counters();
        return c.accepted() + c.droppedSender() + c.droppedVni() + c.malformed() + c.droppedNotEthernet()
            + c.droppedWriterBehind() + c.droppedFileOpen() + c.droppedWriteFailed();
    }

    private static List<byte[]> innerFrames(final List<byte[]> payloads)
    {
        return payloads.stream().map(p -> Arrays.copyOfRange(p, 8, p.length)).collect(Collectors.toList());
    }

    private static boolean isInOrderSubsequence(final List<byte[]> part, final List<byte[]> whole)
    {
        int at = 0;
        for (final byte[] frame : part)
        {
            while (at < whole.size() && !Arrays.equals(whole.get(at), frame))
            {
                at++;
            }
            if (at == whole.size())
            {
                return false;
            }
            at++;
        }
        return true;
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            assertThat(latch.await(20, TimeUnit.SECONDS)).as("released").isTrue();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** A VXLAN datagram made with mirror-vxlan's header encoder around a patterned frame. */
    static byte[] vxlan(final int vni, final int frameLength)
    {
        final byte[] datagram = new byte[VxlanHeaderEncoder.HEADER_LENGTH + frameLength];
        assertThat(new VxlanHeaderEncoder().wrap(ByteBuffer.wrap(datagram), 0).encode(vni))
            .isEqualTo(VxlanHeaderEncoder.HEADER_LENGTH);
        for (int i = 0; i < frameLength; i++)
        {
            datagram[VxlanHeaderEncoder.HEADER_LENGTH + i] = (byte)(i * 31 + vni);
        }
        return datagram;
    }

    private static byte[] patterned(final int length)
    {
        final byte[] frame = new byte[length];
        for (int i = 0; i < length; i++)
        {
            frame[i] = (byte)(i * 13 + length);
        }
        return frame;
    }

    static List<byte[]> framesOf(final Path file) throws IOException
    {
        final List<byte[]> frames = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(file))
        {
            assertThat(reader.format()).isEqualTo(CaptureFormat.PCAP);
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                final byte[] bytes = new byte[frame.remaining()];
                frame.get(frame.position(), bytes);
                frames.add(bytes);
            }
        }
        return frames;
    }

    static List<String> fileNames(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static List<String> tsharkColumn(final Path capture, final String field) throws IOException
    {
        return tsharkRows(capture, List.of(field)).stream().map(row -> row[0]).collect(Collectors.toList());
    }

    /** One row per frame, one cell per field, each the field's last occurrence (the innermost layer's). */
    private static List<String[]> tsharkRows(final Path capture, final List<String> fields) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields",
            "-E", "separator=/t", "-E", "occurrence=l"));
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try
        {
            assertThat(process.waitFor()).isZero();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out.lines().map(line -> line.split("\t", -1)).collect(Collectors.toList());
    }
}
