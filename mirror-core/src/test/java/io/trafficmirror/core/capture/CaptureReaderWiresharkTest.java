package io.trafficmirror.core.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reader against Wireshark: for every real capture, and for pcapng, nanosecond, cut, merged and concatenated
 * files that editcap and mergecap make from them, each record's lengths, time, interface and bytes (as an MD5)
 * must be what tshark reports, and the count what capinfos reports.
 */
class CaptureReaderWiresharkTest
{
    @TempDir
    Path temp;

    @BeforeEach
    void needWireshark()
    {
        Tshark.assumeToolsAvailable();
    }

    static List<Path> projectCaptures() throws IOException
    {
        return MirroredTraffic.captures();
    }

    @ParameterizedTest
    @MethodSource("projectCaptures")
    void shouldReadEveryPcapOfTheProjectsOwnTrafficAsTsharkDoes(final Path capture) throws IOException
    {
        assertReadsAsTshark(capture);
    }

    @ParameterizedTest
    @MethodSource("projectCaptures")
    void shouldReadThePcapngThatEditcapMakesOfEachOfTheProjectsCaptures(final Path capture) throws IOException
    {
        assertReadsTheEditcapPcapng(capture);
    }

    /** One test over all the real captures, so that it shows as skipped, with the reason, where they are absent. */
    @Test
    void shouldReadEveryRealPcapAndThePcapngEditcapMakesOfItAsTsharkDoes() throws IOException
    {
        for (final Path capture : SharedCaptures.all())
        {
            assertReadsAsTshark(capture);
            assertReadsTheEditcapPcapng(capture);
        }
    }

    private static void assertReadsAsTshark(final Path capture) throws IOException
    {
        final List<Record> records = readAll(capture, CaptureFormat.PCAP);

        assertThat(records).hasSize((int)Tshark.packetCount(capture)).isNotEmpty();
        assertSameAsTshark(records, capture);
        assertThat(records).allSatisfy(r -> assertThat(r.linkType).isEqualTo(LinkType.ETHERNET));
    }

    private void assertReadsTheEditcapPcapng(final Path capture) throws IOException
    {
        final Path pcapng = temp.resolve("converted.pcapng");
        Tshark.editcap("-F", "pcapng", capture.toString(), pcapng.toString());

        final List<Record> records = readAll(pcapng, CaptureFormat.PCAPNG);

        assertThat(records).hasSize((int)Tshark.packetCount(pcapng));
        assertSameAsTshark(records, pcapng);
        assertThat(contentsOf(records)).isEqualTo(contentsOf(readAll(capture, CaptureFormat.PCAP)));
    }

    @Test
    void shouldReadNanosecondPcapAndPcapngWithNanosecondResolution() throws IOException
    {
        final Path capture = MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE);
        final Path nanos = temp.resolve("nanos.pcap");
        final Path nanosNg = temp.resolve("nanos.pcapng");
        Tshark.editcap("-F", "nsecpcap", capture.toString(), nanos.toString());
        // Shift by 123 ns so that the nanosecond digits are not all zero.
        final Path shifted = temp.resolve("shifted.pcap");
        Tshark.editcap("-F", "nsecpcap", "-t", "0.000000123", nanos.toString(), shifted.toString());
        Tshark.editcap("-F", "pcapng", shifted.toString(), nanosNg.toString());

        assertThat(Tshark.fileType(shifted)).isEqualTo("nsecpcap");
        final List<Record> fromPcap = readAll(shifted, CaptureFormat.PCAP);
        final List<Record> fromPcapng = readAll(nanosNg, CaptureFormat.PCAPNG);
        assertSameAsTshark(fromPcap, shifted);
        assertSameAsTshark(fromPcapng, nanosNg);
        assertThat(fromPcap.get(0).timestampNanos % 1000).isEqualTo(123);
        assertThat(contentsOf(fromPcapng)).isEqualTo(contentsOf(fromPcap));
    }

    @Test
    void shouldReportFramesCutBySnapLengthWithBothLengths() throws IOException
    {
        final Path capture = MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE);
        final Path cut = temp.resolve("cut.pcap");
        final Path cutNg = temp.resolve("cut.pcapng");
        Tshark.editcap("-F", "pcap", "-s", "60", capture.toString(), cut.toString());
        Tshark.editcap("-F", "pcapng", cut.toString(), cutNg.toString());

        final List<Record> fromPcap = readAll(cut, CaptureFormat.PCAP);
        final List<Record> fromPcapng = readAll(cutNg, CaptureFormat.PCAPNG);

        assertSameAsTshark(fromPcap, cut);
        assertSameAsTshark(fromPcapng, cutNg);
        assertThat(fromPcap).allSatisfy(r -> assertThat(r.capturedLength).isLessThanOrEqualTo(60));
        assertThat(fromPcap).anySatisfy(r -> assertThat(r.originalLength).isGreaterThan(r.capturedLength));
        assertThat(fromPcap.get(0).snapLength).isEqualTo(60);
    }

    @Test
    void shouldGiveEachInterfaceOfAMergedCaptureItsOwnLinkType() throws IOException
    {
        final Path ethernet = MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE);
        final Path raw = temp.resolve("raw.pcap");
        final Path merged = temp.resolve("merged.pcapng");
        // Same bytes, declared as raw IP: a second interface with another link type.
        Tshark.editcap("-T", "rawip", MirroredTraffic.capture(MirroredTraffic.GENEVE_CAPTURE).toString(),
            raw.toString());
        Tshark.mergecap("-F", "pcapng", "-w", merged.toString(), ethernet.toString(), raw.toString());

        final List<Record> records = readAll(merged, CaptureFormat.PCAPNG);

        assertSameAsTshark(records, merged);
        assertThat(records).extracting(r -> r.interfaceId).containsOnly(0, 1);
        for (final Record record : records)
        {
            final int expected = record.interfaceId == 0 ? LinkType.ETHERNET : LinkType.RAW;
            assertThat(record.linkType).as("interface %d", record.interfaceId).isEqualTo(expected);
        }
    }

    @Test
    void shouldReadEverySectionOfConcatenatedPcapngFiles() throws IOException
    {
        final Path first = temp.resolve("first.pcapng");
        final Path second = temp.resolve("second.pcapng");
        final Path both = temp.resolve("both.pcapng");
        final Path geneve = MirroredTraffic.capture(MirroredTraffic.GENEVE_CAPTURE);
        final Path mixed = MirroredTraffic.capture(MirroredTraffic.MIXED_CAPTURE);
        Tshark.editcap("-F", "pcapng", geneve.toString(), first.toString());
        Tshark.editcap("-F", "pcapng", mixed.toString(), second.toString());
        Files.write(both, concat(Files.readAllBytes(first), Files.readAllBytes(second)));

        final List<Record> records = readAll(both, CaptureFormat.PCAPNG);

        // The 10 GENEVE packets, then the 24 of the mix.
        assertThat(records).hasSize(34);
        assertSameAsTshark(records, both);
    }

    @Test
    void shouldReadHandMadeBigEndianPcapsAsTsharkDoes() throws IOException
    {
        final byte[] frame = frame(97);
        for (final boolean nanos : new boolean[] {false, true})
        {
            final Path file = temp.resolve("big-endian-" + nanos + ".pcap");
            Files.write(file, new CaptureBytes.Pcap(ByteOrder.BIG_ENDIAN, nanos, 65535, LinkType.ETHERNET)
                .record(1_700_000_000L, nanos ? 999_999_999 : 999_999, frame, 97)
                .record(1_700_000_001L, 5, frame(60), 1514)
                .bytes());

            final List<Record> records = readAll(file, CaptureFormat.PCAP);

            assertSameAsTshark(records, file);
            assertThat(records.get(0).timestampNanos).isEqualTo(nanos ? 1_700_000_000_999_999_999L
                : 1_700_000_000_999_999_000L);
        }
    }

    @Test
    void shouldReadHandMadePcapngBlocksOfEveryKindInBothByteOrdersAsTsharkDoes() throws IOException
    {
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN})
        {
            final Path file = temp.resolve("blocks-" + order + ".pcapng");
            Files.write(file, new CaptureBytes.Pcapng()
                .section(order)
                .interfaceDescription(LinkType.ETHERNET, 128, null, null)
                // A block type nobody defined: skipped by both readers (custom blocks, 0x00000BAD, Wireshark lists).
                .unknown(0x0000_7777, 20)
                .simplePacket(frame(64), 64)
                .enhancedPacket(0, 1_700_000_000_123_456L, frame(61), 61)
                .interfaceDescription(LinkType.RAW, 0, 9, null)
                .interfaceDescription(LinkType.ETHERNET, 0, 0x80 | 20, 10L)
                .enhancedPacket(1, 1_700_000_000_123_456_789L, frame(40), 40)
                .enhancedPacket(2, (1_700_000_000L << 20) | (1 << 19), frame(70), 1000)
                .obsoletePacket(0, 1_700_000_002_000_001L, frame(33), 33)
                // A second section in the other byte order resets the interfaces.
                .section(order == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                .interfaceDescription(LinkType.ETHERNET, 0, 3, null)
                .enhancedPacket(0, 1_700_000_003_500L, frame(55), 55)
                .bytes());

            final List<Record> records = readAll(file, CaptureFormat.PCAPNG);

            assertThat(records).hasSize(6);
            // Simple packet blocks carry no time: tshark shows 0 for them as well.
            assertSameAsTshark(records, file);
            assertThat(records).extracting(r -> r.linkType)
                .containsExactly(LinkType.ETHERNET, LinkType.ETHERNET, LinkType.RAW, LinkType.ETHERNET,
                    LinkType.ETHERNET, LinkType.ETHERNET);
            assertThat(records.get(3).timestampNanos).isEqualTo(1_700_000_010_500_000_000L);
            assertThat(records.get(3).originalLength).isEqualTo(1000);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** One record as the reader reports it, copied out of the reader's view. */
    record Record(long timestampNanos, boolean hasTimestamp, int linkType, int interfaceId, int snapLength, int capturedLength,
        int originalLength, byte[] bytes)
    {
        String md5()
        {
            try
            {
                return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
            }
            catch (final NoSuchAlgorithmException e)
            {
                throw new AssertionError(e);
            }
        }
    }

    static List<Record> readAll(final Path file, final CaptureFormat format) throws IOException
    {
        final List<Record> records = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(file))
        {
            assertThat(reader.format()).isEqualTo(format);
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                assertThat(frame.isReadOnly()).isTrue();
                assertThat(frame.remaining()).isEqualTo(reader.capturedLength());
                final byte[] bytes = new byte[frame.remaining()];
                frame.get(frame.position(), bytes);
                records.add(new Record(reader.timestampNanos(), reader.hasTimestamp(), reader.linkType(), reader.interfaceId(),
                    reader.snapLength(), reader.capturedLength(), reader.originalLength(), bytes));
                assertThat(reader.recordCount()).isEqualTo(records.size());
            }
            assertThat(reader.next()).as("next() after the end").isFalse();
        }
        return records;
    }

    static void assertSameAsTshark(final List<Record> records, final Path file) throws IOException
    {
        final List<Tshark.Frame> frames = Tshark.frames(file);
        assertThat(records).hasSameSizeAs(frames);
        for (int i = 0; i < records.size(); i++)
        {
            final Record record = records.get(i);
            final Tshark.Frame frame = frames.get(i);
            assertThat(record.originalLength).as("frame %d length of %s", i + 1, file).isEqualTo(frame.length());
            assertThat(record.capturedLength).as("frame %d captured length", i + 1).isEqualTo(frame.capturedLength());
            assertThat(record.hasTimestamp ? epoch(record.timestampNanos) : "").as("frame %d time", i + 1)
                .isEqualTo(frame.timeEpoch());
            assertThat(record.interfaceId).as("frame %d interface", i + 1).isEqualTo(frame.interfaceId());
            assertThat(record.md5()).as("frame %d bytes", i + 1).isEqualTo(frame.md5());
        }
    }

    /** Nanoseconds since 1970 as tshark prints frame.time_epoch. */
    static String epoch(final long nanos)
    {
        return Math.floorDiv(nanos, 1_000_000_000L) + "." + String.format("%09d", Math.floorMod(nanos, 1_000_000_000L));
    }

    static List<String> contentsOf(final List<Record> records)
    {
        final List<String> contents = new ArrayList<>();
        for (final Record record : records)
        {
            contents.add(record.timestampNanos + " " + record.capturedLength + " " + record.originalLength + " "
                + record.md5());
        }
        return contents;
    }

    static byte[] frame(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 7 + length);
        }
        return bytes;
    }

    static byte[] concat(final byte[] first, final byte[] second)
    {
        final byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
