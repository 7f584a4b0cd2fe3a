package io.trafficmirror.core.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.MirroredTraffic;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated files into the reader, through a seekable and a non-seekable channel: reading to the end
 * either succeeds or throws {@link CaptureFormatException} (or {@link EOFException}), within a second; any other
 * exception, a record breaking the reader's own invariants, or more records than the bytes can hold fails the
 * property.
 */
class CaptureReaderFuzzTest
{
    private static final int[] MAGICS = {0xA1B2C3D4, 0xD4C3B2A1, 0xA1B23C4D, 0x4D3CB2A1, 0x0A0D0D0A};
    private static final List<byte[]> SEEDS = seeds();

    @Property(tries = 800)
    void shouldOnlyReadOrReportAFormatErrorOnRandomBytesBehindAValidMagic(
        @ForAll @Size(max = 600) final byte[] bytes, @ForAll @IntRange(max = 4) final int magic,
        @ForAll final boolean seekable)
    {
        final byte[] file = Arrays.copyOf(bytes, bytes.length + 4);
        System.arraycopy(file, 0, file, 4, bytes.length);
        ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN).putInt(0, MAGICS[magic]);
        readToTheEnd(file, seekable);
    }

    @Property(tries = 1500)
    void shouldOnlyReadOrReportAFormatErrorOnMutatedCaptures(@ForAll final long seed, @ForAll final boolean seekable)
    {
        final Random random = new Random(seed);
        readToTheEnd(mutate(SEEDS.get(random.nextInt(SEEDS.size())), random), seekable);
    }

    private static void readToTheEnd(final byte[] file, final boolean seekable)
    {
        final long start = System.nanoTime();
        final ReadableByteChannel channel = seekable
            ? new ByteArrayChannel(file)
            : Channels.newChannel(new ByteArrayInputStream(file));
        try (CaptureReader reader = CaptureReader.open(channel, "fuzz"))
        {
            long records = 0;
            while (reader.next())
            {
                records++;
                assertThat(records).as("records from %d bytes", file.length).isLessThanOrEqualTo(file.length / 12);
                assertThat(reader.capturedLength()).isBetween(0, CaptureReader.MAX_CAPTURED_LENGTH);
                assertThat(reader.frame().remaining()).isEqualTo(reader.capturedLength());
                assertThat(reader.originalLength()).isGreaterThanOrEqualTo(reader.capturedLength());
                assertThat(reader.recordOffset()).isBetween(0L, (long)file.length);
            }
        }
        catch (final CaptureFormatException | EOFException expected)
        {
            assertThat(expected.getMessage()).isNotBlank();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("not a format error", e);
        }
        // A few hundred bytes take microseconds; a second means a loop that should not be there.
        assertThat(System.nanoTime() - start).as("nanoseconds to read %d bytes", file.length).isLessThan(1_000_000_000L);
    }

    private static byte[] mutate(final byte[] base, final Random random)
    {
        byte[] bytes = base.clone();
        final int mutations = 1 + random.nextInt(6);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.nextInt(5))
            {
                case 0 -> bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
                case 1 ->
                {
                    // Overwrite a 32-bit field with a boundary value: where lengths live, these matter most.
                    final int at = random.nextInt(Math.max(1, bytes.length - 4)) & ~3;
                    final int[] values = {0, 1, 3, 4, 12, 0x7FFF_FFFF, -1, -4, 0x10000, 262_145};
                    if (at + 4 <= bytes.length)
                    {
                        ByteBuffer.wrap(bytes).putInt(at, values[random.nextInt(values.length)]);
                    }
                }
                case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 3 ->
                {
                    final int from = random.nextInt(bytes.length + 1);
                    final int to = from + random.nextInt(bytes.length - from + 1);
                    final byte[] grown = Arrays.copyOf(bytes, bytes.length + to - from);
                    System.arraycopy(bytes, from, grown, bytes.length, to - from);
                    bytes = grown;
                }
                default -> bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
            }
            if (bytes.length == 0)
            {
                break;
            }
        }
        return bytes;
    }

    private static List<byte[]> seeds()
    {
        final List<byte[]> seeds = new ArrayList<>();
        try
        {
            for (final String name : List.of(MirroredTraffic.GENEVE_CAPTURE, MirroredTraffic.MIXED_CAPTURE))
            {
                seeds.add(Files.readAllBytes(MirroredTraffic.capture(name)));
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final byte[] frame = new byte[70];
        seeds.add(new CaptureBytes.Pcap(ByteOrder.BIG_ENDIAN, true, 65535, LinkType.RAW)
            .record(1, 2, frame, 70).record(3, 4, Arrays.copyOf(frame, 20), 90).bytes());
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN})
        {
            seeds.add(new CaptureBytes.Pcapng().section(order)
                .interfaceDescription(LinkType.ETHERNET, 64, 0x80 | 10, 5L)
                .simplePacket(Arrays.copyOf(frame, 64), 70)
                .unknown(0x0000_0BAD, 12)
                .interfaceDescription(LinkType.RAW, 0, 9, null)
                .enhancedPacket(1, 1_700_000_000_000_000_001L, Arrays.copyOf(frame, 41), 60)
                .obsoletePacket(0, 77, Arrays.copyOf(frame, 10), 10)
                .section(order)
                .interfaceDescription(LinkType.ETHERNET, 0, null, null)
                .enhancedPacket(0, 5, frame, 70)
                .bytes());
        }
        return seeds;
    }
}
