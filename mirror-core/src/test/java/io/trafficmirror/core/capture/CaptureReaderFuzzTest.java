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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.trafficmirror.testing.SeededCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and mutated files into the reader, through a seekable and a non-seekable channel: reading to the end
 * either succeeds or throws {@link CaptureFormatException} (or {@link EOFException}); any other
 * exception, a record breaking the reader's own invariants, or more records than the bytes can hold fails the
 * property.
 */
class CaptureReaderFuzzTest
{
    private static final int[] MAGICS = {0xA1B2C3D4, 0xD4C3B2A1, 0xA1B23C4D, 0x4D3CB2A1, 0x0A0D0D0A};
    private static final List<byte[]> SEEDS = seeds();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a guard against a reader that loops, not a speed check
    void shouldOnlyReadOrReportAFormatErrorOnRandomBytesBehindAValidMagic()
    {
        SeededCases.run(800, draw ->
        {
            final byte[] bytes = draw.bytes(600);
            final int magic = draw.between(0, MAGICS.length - 1);
            final boolean seekable = draw.bool();
            final byte[] file = Arrays.copyOf(bytes, bytes.length + 4);
            System.arraycopy(file, 0, file, 4, bytes.length);
            ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN).putInt(0, MAGICS[magic]);
            readToTheEnd(file, seekable);
        });
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a guard against a reader that loops, not a speed check
    void shouldOnlyReadOrReportAFormatErrorOnMutatedCaptures()
    {
        SeededCases.run(1500, draw ->
        {
            final boolean seekable = draw.bool();
            final SplittableRandom random = draw.random();
            readToTheEnd(mutate(SEEDS.get(random.nextInt(SEEDS.size())), random), seekable);
        });
    }

    private static void readToTheEnd(final byte[] file, final boolean seekable)
    {
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
    }

    private static byte[] mutate(final byte[] base, final SplittableRandom random)
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
