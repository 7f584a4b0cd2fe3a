package io.trafficmirror.core.receiver;

import static io.trafficmirror.core.receiver.MirrorReceiverTest.fileNames;
import static io.trafficmirror.core.receiver.MirrorReceiverTest.framesOf;
import static io.trafficmirror.core.receiver.MirrorReceiverTest.handled;
import static io.trafficmirror.core.receiver.MirrorReceiverTest.vxlan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trafficmirror.core.capture.TimestampResolution;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.testing.Pcap;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's capture files at their edges: the names they get, made at start or refused at once, a per-VNI file
 * that cannot be opened, and the cap on per-VNI files open at once with its least recently used file closed and
 * reopened for append.
 */
@Timeout(30)
class ReceiverFilesTest
{
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path temp;

    private static MirrorReceiver.Builder builder()
    {
        return MirrorReceiver.builder().transport(DatagramTransport.JDK).bind(LOOPBACK_ANY_PORT);
    }

    @Test
    void shouldWriteExactlyThePathItIsGivenWithoutRotation() throws Exception
    {
        final Path file = temp.resolve("capture.cap");
        final List<byte[]> payloads = List.of(vxlan(1, 60), vxlan(2, 70));
        try (MirrorReceiver receiver = builder().pcapFile(file, 0).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
        }
        assertThat(fileNames(temp)).containsExactly("capture.cap");
        assertThat(framesOf(file)).containsExactlyElementsOf(inner(payloads));
    }

    @Test
    void shouldNumberRotatedFilesBeforeTheExtension() throws Exception
    {
        final List<byte[]> payloads = List.of(vxlan(1, 600), vxlan(1, 601), vxlan(1, 602));
        try (MirrorReceiver receiver = builder().pcapFile(temp.resolve("capture.cap"), 1024).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
        }
        assertThat(fileNames(temp)).containsExactly("capture-000000.cap", "capture-000001.cap", "capture-000002.cap");
        assertThat(framesOf(temp.resolve("capture-000002.cap"))).containsExactly(inner(payloads).get(2));

        final Path bare = Files.createDirectory(temp.resolve("bare"));
        builder().pcapFile(bare.resolve("capture"), 1024).open().close();
        assertThat(fileNames(bare)).containsExactly("capture-000000");
    }

    @Test
    void shouldCreateTheFileWithItsHeaderWhenOpenedBeforeAnyTraffic() throws Exception
    {
        final Path file = temp.resolve("quiet.pcap");
        try (MirrorReceiver receiver = builder().pcapFile(file, 0).open())
        {
            assertThat(receiver.stopReason()).as("not started").isEmpty();
            assertThat(Files.size(file)).isEqualTo(24);
            assertThat(Pcap.read(file)).isEmpty();
        }
        assertThat(Pcap.read(file)).isEmpty();
        final Path rotated = Files.createDirectory(temp.resolve("rotated"));
        try (MirrorReceiver receiver = builder().pcapFile(rotated.resolve("quiet.pcap"), 4096).open())
        {
            assertThat(receiver.maxOpenVniFiles()).isZero();
            assertThat(fileNames(rotated)).containsExactly("quiet-000000.pcap");
        }
    }

    @Test
    void shouldRefuseAtOpenAnOutputThatCannotBeWrittenNamingItAndWhy() throws Exception
    {
        final Path file = Files.writeString(temp.resolve("a-file"), "x");
        final Path directory = Files.createDirectory(temp.resolve("a-directory"));
        assertRefused(builder().pcapFile(temp.resolve("missing").resolve("x.pcap"), 0),
            temp.resolve("missing").resolve("x.pcap"), "no such directory");
        assertRefused(builder().pcapFile(file.resolve("x.pcap"), 0), file.resolve("x.pcap"), "not a directory");
        assertRefused(builder().pcapFile(directory, 0), directory, "is a directory");
        assertRefused(builder().pcapPerVni(temp.resolve("missing"), 0), temp.resolve("missing"), "no such directory");
        assertRefused(builder().pcapPerVni(file, 0), file, "not a directory");
        assertThat(fileNames(temp)).containsExactly("a-directory", "a-file");
    }

    static void assertRefused(final MirrorReceiver.Builder builder, final Path path, final String reason)
    {
        assertThatThrownBy(builder::open).isInstanceOf(FileSystemException.class)
            .hasMessage(path.toAbsolutePath() + ": " + reason)
            .satisfies(e -> assertThat(((FileSystemException)e).getReason()).isEqualTo(reason));
    }

    @Test
    void shouldCountAPerVniFileThatCannotBeOpenedAndKeepReceiving() throws Exception
    {
        // A directory where VNI 5's file would go: opening it fails, as it would with too many files open.
        Files.createDirectory(temp.resolve("vni-5.pcap"));
        final List<byte[]> payloads = List.of(vxlan(4, 60), vxlan(5, 61), vxlan(6, 62), vxlan(5, 63), vxlan(4, 64));
        try (MirrorReceiver receiver = builder().pcapPerVni(temp, 0).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
            // The writer thread finds that the file cannot be opened, after the frames were queued.
            LoopbackSender.awaitAtLeast(() -> receiver.counters().droppedFileOpen(), 2);

            assertThat(receiver.counters()).isEqualTo(new ReceiverCounters(5, 3, 60 + 62 + 64, 0, 0, 0, 0, 0, 2, 0));
            assertThat(receiver.stopReason()).isEmpty();
            sender.send(List.of(vxlan(6, 65)), () -> handled(receiver));
            assertThat(receiver.counters().accepted()).isEqualTo(4);
        }
        assertThat(framesOf(temp.resolve("vni-4.pcap"))).hasSize(2);
        assertThat(framesOf(temp.resolve("vni-6.pcap"))).hasSize(2);
    }

    @Test
    void shouldKeepAtMostTheCapOfPerVniFilesOpenAndWriteEveryFrame() throws Exception
    {
        final List<byte[]> payloads = new ArrayList<>();
        for (int round = 0; round < 3; round++)
        {
            for (int vni = 1; vni <= 5; vni++)
            {
                payloads.add(vxlan(vni, 60 + 10 * round + vni));
            }
        }
        try (MirrorReceiver receiver = builder().pcapPerVni(temp, 0).maxVniFiles(2).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            assertThat(receiver.maxOpenVniFiles()).isEqualTo(2);
            receiver.start();
            sender.send(payloads, () -> handled(receiver));
            assertThat(receiver.counters().accepted()).isEqualTo(payloads.size());
        }
        for (int vni = 1; vni <= 5; vni++)
        {
            final int v = vni;
            assertThat(Pcap.frames(temp.resolve("vni-" + vni + ".pcap"))).as("VNI %d, one header and its frames", vni)
                .containsExactlyElementsOf(inner(payloads.stream().filter(p -> (p[6] & 0xFF) == v).toList()));
        }
    }

    @Test
    void shouldCloseTheLeastRecentlyWrittenFileAndReopenItForAppend() throws Exception
    {
        final LiveCounters counters = new LiveCounters();
        final PerVniPcapSink sink = new PerVniPcapSink(temp, 0, 0, null, TimestampResolution.MICROSECONDS, 2,
            counters);
        final Map<Integer, List<byte[]>> written = new TreeMap<>();
        final int[] order = {1, 2, 1, 3, 2, 1, 4, 4, 2};
        final boolean[][] openAfter = {
            {true, false, false, false}, {true, true, false, false}, {true, true, false, false},
            // 2 is the least recently written: closed for 3.
            {true, false, true, false}, {false, true, true, false}, {true, true, false, false},
            {true, false, false, true}, {true, false, false, true}, {false, true, false, true}};
        for (int i = 0; i < order.length; i++)
        {
            final byte[] frame = frame(order[i], 50 + i);
            written.computeIfAbsent(order[i], v -> new ArrayList<>()).add(frame);
            assertThat(sink.accept(order[i], null, 1_000_000_000L * (i + 1), ByteBuffer.wrap(frame), 0, frame.length))
                .isEqualTo(FrameSink.ACCEPTED);
            assertThat(sink.openFiles()).isLessThanOrEqualTo(2);
            for (int vni = 1; vni <= 4; vni++)
            {
                assertThat(sink.isOpen(vni)).as("after frame %d, VNI %d open", i, vni).isEqualTo(openAfter[i][vni - 1]);
            }
        }
        sink.close();
        assertThat(sink.openFiles()).isZero();
        for (final Map.Entry<Integer, List<byte[]>> vni : written.entrySet())
        {
            final List<Pcap.Packet> packets = Pcap.read(temp.resolve("vni-" + vni.getKey() + ".pcap"));
            assertThat(packets).extracting(Pcap.Packet::data).containsExactlyElementsOf(vni.getValue());
        }
        assertThat(counters.snapshot().droppedWriteFailed()).isZero();
    }

    @Test
    void shouldRotateAReopenedFileByItsWholeSize() throws Exception
    {
        final LiveCounters counters = new LiveCounters();
        final PerVniPcapSink sink = new PerVniPcapSink(temp, 1024, 0, null, TimestampResolution.MICROSECONDS, 1,
            counters);
        // 24 + 2 * (16 + 400) = 856 bytes in vni-1-000000.pcap, closed for VNI 2 in between; a third 400-byte frame
        // would take it past 1024 and starts vni-1-000001.pcap.
        for (final int vni : new int[] {1, 2, 1, 2, 1})
        {
            final byte[] frame = frame(vni, 400);
            assertThat(sink.accept(vni, null, 1_000_000_000L, ByteBuffer.wrap(frame), 0, frame.length))
                .isEqualTo(FrameSink.ACCEPTED);
        }
        sink.close();
        assertThat(fileNames(temp)).containsExactly("vni-1-000000.pcap", "vni-1-000001.pcap", "vni-2-000000.pcap");
        assertThat(Pcap.read(temp.resolve("vni-1-000000.pcap"))).hasSize(2);
        assertThat(Pcap.read(temp.resolve("vni-1-000001.pcap"))).hasSize(1);
        assertThat(Pcap.read(temp.resolve("vni-2-000000.pcap"))).hasSize(2);
    }

    /**
     * Time and size rotation together, per VNI, named after sessions: the period's start (UTC) comes first, the size
     * sequence after it starts again at each period, a file closed for another VNI is taken up again in its period
     * and not after it, and a period without frames has no file.
     */
    @Test
    void shouldNameFilesByPeriodThenSizeSequenceAndStartTheSequenceAgainEachPeriod() throws Exception
    {
        final LiveCounters counters = new LiveCounters();
        final VniTable<String> sessions = new VniTable<>();
        sessions.put(7, "tms-0123456789abcdef0");
        final long second = 1_000_000_000L;
        // 2026-12-02T03:15:00Z, the start of a 60-second period.
        final long period = 1_796_181_300L * second;
        final PerVniPcapSink sink = new PerVniPcapSink(temp, 1024, 60 * second, sessions,
            TimestampResolution.MICROSECONDS, 1, counters);
        final long[][] writes = {
            {7, period + second}, {7, period + 2 * second}, {8, period + 3 * second}, {7, period + 4 * second},
            {7, period + 59 * second}, {7, period + 61 * second}, {8, period + 185 * second}};
        for (final long[] write : writes)
        {
            final byte[] frame = frame((int)write[0], 400);
            assertThat(sink.accept((int)write[0], null, write[1], ByteBuffer.wrap(frame), 0, frame.length))
                .isEqualTo(FrameSink.ACCEPTED);
        }
        sink.close();
        assertThat(fileNames(temp)).containsExactly(
            "tms-0123456789abcdef0-vni-7-20261202T031500Z-000000.pcap",
            "tms-0123456789abcdef0-vni-7-20261202T031500Z-000001.pcap",
            "tms-0123456789abcdef0-vni-7-20261202T031600Z-000000.pcap",
            "vni-8-20261202T031500Z-000000.pcap",
            "vni-8-20261202T031800Z-000000.pcap");
        assertThat(Pcap.read(temp.resolve("tms-0123456789abcdef0-vni-7-20261202T031500Z-000000.pcap"))).hasSize(2);
        assertThat(Pcap.read(temp.resolve("tms-0123456789abcdef0-vni-7-20261202T031500Z-000001.pcap"))).hasSize(2);
        assertThat(Pcap.read(temp.resolve("tms-0123456789abcdef0-vni-7-20261202T031600Z-000000.pcap"))).hasSize(1);
        assertThat(Pcap.read(temp.resolve("vni-8-20261202T031500Z-000000.pcap"))).hasSize(1);
        assertThat(Pcap.read(temp.resolve("vni-8-20261202T031800Z-000000.pcap"))).hasSize(1);
        assertThat(counters.snapshot().droppedWriteFailed()).isZero();
    }

    @Test
    void shouldRefuseARotationPeriodThatIsNotWholeSecondsOrIsForAStream()
    {
        assertThatThrownBy(() -> builder().rotateEvery(Duration.ofMillis(1500)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("receiver: rotation period PT1.5S is not a whole number of seconds from 1 to 31622400");
        assertThatThrownBy(() -> builder().pcapStream(Channels.newChannel(
            new ByteArrayOutputStream()), "a stream").rotateEvery(Duration.ofSeconds(5)).open())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("receiver: a rotation period is for pcapFile and pcapPerVni, not pcapStream");
    }

    @Test
    void shouldRefuseAPerVniFileCapOutsideItsRange()
    {
        assertThatThrownBy(() -> builder().maxVniFiles(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("receiver: max VNI files 0 is outside 1..16384");
        assertThatThrownBy(() -> builder().maxVniFiles(MirrorReceiver.MAX_VNI_FILES + 1))
            .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] frame(final int vni, final int length)
    {
        final byte[] frame = new byte[length];
        for (int i = 0; i < length; i++)
        {
            frame[i] = (byte)(i * 17 + vni);
        }
        return frame;
    }

    private static List<byte[]> inner(final List<byte[]> payloads)
    {
        return payloads.stream().map(p -> Arrays.copyOfRange(p, 8, p.length)).toList();
    }
}
