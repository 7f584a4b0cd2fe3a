package io.trafficmirror.core.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of damage gives a {@link CaptureFormatException} naming the file, the byte offset of the damage and
 * what is wrong; records before the damage are still delivered.
 */
class CaptureReaderCorruptionTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    @TempDir
    Path temp;

    @Test
    void shouldRejectAnEmptyFile() throws IOException
    {
        assertError(new byte[0], 0, 0, "too few for a pcap or pcapng magic number");
    }

    @Test
    void shouldRejectAnUnknownMagicNumber() throws IOException
    {
        assertError(new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0}, 0, 0, "magic number 0x47494638 is neither");
    }

    @Test
    void shouldRejectAPcapHeaderCutShort() throws IOException
    {
        assertError(Arrays.copyOf(pcap().bytes(), 10), 0, 0, "10 bytes, fewer than the 24-byte pcap header");
    }

    @Test
    void shouldRejectAnotherPcapMajorVersion() throws IOException
    {
        final byte[] bytes = pcap().bytes();
        bytes[4] = 3;
        assertError(bytes, 0, 4, "pcap version 3 is not 2");
    }

    @Test
    void shouldReportALastRecordWhoseHeaderIsCutShort() throws IOException
    {
        final byte[] whole = pcap().record(1, 0, new byte[60], 60).record(2, 0, new byte[60], 60).bytes();
        // Second record at 24 + 16 + 60 = 100; keep 8 of its 16 header bytes.
        assertError(Arrays.copyOf(whole, 108), 1, 100, "ends inside the header of record 2: 8 of its 16 bytes");
    }

    @Test
    void shouldReportALastRecordWhoseFrameIsCutShort() throws IOException
    {
        final byte[] whole = pcap().record(1, 0, new byte[60], 60).record(2, 0, new byte[60], 60).bytes();
        assertError(Arrays.copyOf(whole, whole.length - 1), 1, 100,
            "ends inside record 2: it declares 60 captured bytes, 59 are present");
    }

    @Test
    void shouldRefuseACapturedLengthOverTheLimitInsteadOfAllocatingIt() throws IOException
    {
        final byte[] bytes = pcap().record(1, 0, new byte[60], 60).bytes();
        ByteBuffer.wrap(bytes).order(LE).putInt(24 + 8, 1 << 30).putInt(24 + 12, 1 << 30);
        assertError(bytes, 0, 32, "captured length of 1073741824 bytes, over the limit of 262144");
    }

    @Test
    void shouldRefuseACapturedLengthOverTheOriginalLength() throws IOException
    {
        assertError(pcap().record(1, 0, new byte[60], 59).bytes(), 0, 32,
            "captured length of 60 bytes, more than its original length of 59");
    }

    @Test
    void shouldRefuseAFractionOfASecondThatIsAWholeSecond() throws IOException
    {
        assertError(pcap().record(1, 1_000_000, new byte[60], 60).bytes(), 0, 28,
            "fraction of a second of 1000000, not below 1000000");
    }

    @Test
    void shouldRefuseABlockLengthThatIsNotAMultipleOfFour() throws IOException
    {
        final byte[] bytes = pcapng().enhancedPacket(0, 1, new byte[60], 60).bytes();
        final int block = sectionAndInterfaceLength();
        ByteBuffer.wrap(bytes).order(LE).putInt(block + 4, 102);
        assertError(bytes, 0, block + 4, "total length of 102: not a multiple of 4");
    }

    @Test
    void shouldRefuseABlockWhoseTrailingLengthDiffers() throws IOException
    {
        final byte[] bytes = pcapng().enhancedPacket(0, 1, new byte[60], 60).bytes();
        ByteBuffer.wrap(bytes).order(LE).putInt(bytes.length - 4, 96);
        final int block = sectionAndInterfaceLength();
        assertError(bytes, 0, bytes.length - 4, "ends with a total length of 96, but begins with " + (bytes.length - block));
    }

    @Test
    void shouldRefuseAPacketLargerThanItsBlock() throws IOException
    {
        final byte[] bytes = pcapng().enhancedPacket(0, 1, new byte[60], 60).bytes();
        final int block = sectionAndInterfaceLength();
        ByteBuffer.wrap(bytes).order(LE).putInt(block + 20, 200).putInt(block + 24, 200);
        assertError(bytes, 0, block + 20, "captured length of 200 bytes, more than its block of");
    }

    @Test
    void shouldRefuseAPacketBlockLargerThanTheLimit() throws IOException
    {
        final byte[] bytes = pcapng().enhancedPacket(0, 1, new byte[60], 60).bytes();
        final int block = sectionAndInterfaceLength();
        ByteBuffer.wrap(bytes).order(LE).putInt(block + 4, 0x7FFF_FFFC);
        assertError(bytes, 0, block + 4, "total length of 2147483644 bytes, over the limit");
    }

    @Test
    void shouldRefuseAPacketOfAnInterfaceNotDescribed() throws IOException
    {
        final int block = sectionAndInterfaceLength();
        assertError(pcapng().enhancedPacket(3, 1, new byte[60], 60).bytes(), 0, block + 8,
            "names interface 3, but its section describes 1");
    }

    @Test
    void shouldRefuseAnOptionThatRunsPastItsBlock() throws IOException
    {
        final byte[] bytes = pcapng().enhancedPacket(0, 1, new byte[60], 60).bytes();
        final int block = sectionAndInterfaceLength();
        // The EPB's comment option follows the 60 frame bytes.
        ByteBuffer.wrap(bytes).order(LE).putShort(block + 28 + 60 + 2, (short)400);
        assertError(bytes, 0, block + 28 + 60, "option 1 of 400 bytes runs past the end of its block");
    }

    @Test
    void shouldRefuseABadByteOrderMagic() throws IOException
    {
        final byte[] bytes = pcapng().bytes();
        bytes[8] = 0x11;
        assertError(bytes, 0, 8, "byte-order magic 0x11");
    }

    @Test
    void shouldRefuseAnotherPcapngMajorVersion() throws IOException
    {
        final byte[] bytes = pcapng().bytes();
        ByteBuffer.wrap(bytes).order(LE).putShort(12, (short)2);
        assertError(bytes, 0, 12, "pcapng major version 2 is not 1");
    }

    @Test
    void shouldRefuseATimestampResolutionTooFineForSixtyFourBits() throws IOException
    {
        final byte[] bytes = new CaptureBytes.Pcapng().section(LE).interfaceDescription(1, 0, 19, null).bytes();
        final int sectionLength = new CaptureBytes.Pcapng().section(LE).bytes().length;
        assertError(bytes, 0, sectionLength + 20, "if_tsresol 0x13 is finer");
    }

    @Test
    void shouldRefuseASimplePacketBeforeAnyInterface() throws IOException
    {
        final byte[] bytes = new CaptureBytes.Pcapng().section(LE).simplePacket(new byte[8], 8).bytes();
        assertError(bytes, 0, new CaptureBytes.Pcapng().section(LE).bytes().length, "before any interface description");
    }

    @Test
    void shouldReportAPcapngFileThatEndsInsideAPacketBlock() throws IOException
    {
        final byte[] whole = pcapng().enhancedPacket(0, 1, new byte[60], 60).enhancedPacket(0, 2, new byte[60], 60)
            .bytes();
        final int second = sectionAndInterfaceLength() + (whole.length - sectionAndInterfaceLength()) / 2;
        assertError(Arrays.copyOf(whole, whole.length - 6), 1, second, "ends inside a block of type 0x00000006");
    }

    @Test
    void shouldSkipUnknownAndCustomBlocksButStillCheckTheirLength() throws IOException
    {
        final byte[] good = pcapng().unknown(0x0000_0BAD, 8).unknown(5, 100).enhancedPacket(0, 1, new byte[60], 60)
            .bytes();
        assertThat(count(good)).isEqualTo(1);

        final byte[] cut = pcapng().unknown(0x0000_0BAD, 40).bytes();
        assertError(Arrays.copyOf(cut, cut.length - 4), 0, sectionAndInterfaceLength(),
            "ends inside a block of type 0x00000BAD");
    }

    @Test
    void shouldSkipAHugeUnknownBlockWithoutReadingIt() throws IOException
    {
        // A sparse file: a 1 GiB block of an unknown type between two packets; it is seeked over, not read.
        final Path file = temp.resolve("sparse.pcapng");
        final long body = 1L << 30;
        final ByteBuffer header = ByteBuffer.allocate(8).order(LE).putInt(0x7777).putInt((int)(body + 12));
        final byte[] before = pcapng().enhancedPacket(0, 1, new byte[60], 60).bytes();
        final byte[] after = new CaptureBytes.Pcapng().section(LE).raw(new byte[0]).bytes();
        try (var channel = Files.newByteChannel(file, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(before));
            channel.write(header.flip());
            channel.position(before.length + 8 + body);
            channel.write(ByteBuffer.allocate(4).order(LE).putInt(0, (int)(body + 12)));
            channel.write(ByteBuffer.wrap(after));
            channel.write(ByteBuffer.wrap(pcapngInterfaceAndPacket()));
        }
        try (CaptureReader reader = CaptureReader.open(file))
        {
            assertThat(reader.next()).isTrue();
            assertThat(reader.next()).isTrue();
            assertThat(reader.recordOffset()).isGreaterThan(body);
            assertThat(reader.next()).isFalse();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static CaptureBytes.Pcap pcap()
    {
        return new CaptureBytes.Pcap(LE, false, 65535, LinkType.ETHERNET);
    }

    private static CaptureBytes.Pcapng pcapng()
    {
        return new CaptureBytes.Pcapng().section(LE).interfaceDescription(LinkType.ETHERNET, 0, null, null);
    }

    private static byte[] pcapngInterfaceAndPacket()
    {
        final byte[] withSection = pcapng().enhancedPacket(0, 5, new byte[20], 20).bytes();
        final int sectionLength = new CaptureBytes.Pcapng().section(LE).bytes().length;
        return Arrays.copyOfRange(withSection, sectionLength, withSection.length);
    }

    private static int sectionAndInterfaceLength()
    {
        return pcapng().bytes().length;
    }

    private int count(final byte[] bytes) throws IOException
    {
        final Path file = Files.write(temp.resolve("good-" + System.nanoTime()), bytes);
        int records = 0;
        try (CaptureReader reader = CaptureReader.open(file))
        {
            while (reader.next())
            {
                records++;
            }
        }
        return records;
    }

    private void assertError(final byte[] bytes, final int goodRecords, final long offset, final String problem)
        throws IOException
    {
        final Path file = Files.write(temp.resolve("broken-" + System.nanoTime() + ".cap"), bytes);
        final int[] delivered = new int[1];
        assertThatThrownBy(() ->
        {
            try (CaptureReader reader = CaptureReader.open(file))
            {
                while (reader.next())
                {
                    delivered[0]++;
                }
            }
        })
            .isInstanceOfSatisfying(CaptureFormatException.class, e ->
            {
                assertThat(e.source()).isEqualTo(file.toString());
                assertThat(e.offset()).isEqualTo(offset);
                assertThat(e.problem()).contains(problem);
                assertThat(e.getMessage()).startsWith(file + ": at byte " + offset + ": ");
            });
        assertThat(delivered[0]).as("records delivered before the damage").isEqualTo(goodRecords);
    }
}
