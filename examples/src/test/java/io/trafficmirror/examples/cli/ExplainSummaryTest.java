package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.SeededCases;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mirror explain --summary} against the per-packet output of the same run's inputs: the totals per
 * interface, session, direction, rule and action are summed here from the per-packet rows, the frame lengths and
 * times from the capture as written here or as tshark reads it, and the target's rates worked out here from them.
 */
class ExplainSummaryTest
{
    private static final String TARGET = "tmt-09e4f63ab1c7d2e45";
    private static final String SESSION = "tms-0c8f2e5b6a7d90123";
    private static final long SECOND = 1_000_000_000L;

    /**
     * The instance's traffic and ARP packets of no interface, in random order at random times: bursts within one
     * second, gaps of several, so that the peak second differs from the mean.
     */
    @Test
    void shouldSumAsThePerPacketRowsOnAProjectMadeCapture(@TempDir final Path dir) throws Exception
    {
        final List<byte[]> kinds = new ArrayList<>(MirroredTraffic.instanceFrames());
        kinds.add(MirroredTraffic.vxlan(7));
        SeededCases.run(6, draw ->
        {
            final List<byte[]> frames = new ArrayList<>();
            final List<Long> times = new ArrayList<>();
            long time = 1_700_000_000L * SECOND + draw.below(1_000_000) * 1_000L;
            final int count = 1 + draw.below(300);
            for (int i = 0; i < count; i++)
            {
                frames.add(kinds.get(draw.below(kinds.size())));
                times.add(time);
                time += draw.below(10) == 0 ? draw.below(4_000_000) * 1_000L : draw.below(20_000) * 1_000L;
            }
            final Path capture = dir.resolve("timed.pcap");
            writeTimed(capture, frames, times);
            final List<Integer> lengths = frames.stream().map(frame -> frame.length).toList();
            assertSummary(capture, lengths, times);
        });
    }

    @Test
    void shouldSumAsThePerPacketRowsOnTheRealAwsCapture() throws Exception
    {
        final Path inner = ExplainCommandTest.innerCapture(SharedCaptures.file(SharedCaptures.AWS_CAPTURE));
        assertSummaryAsTsharkReads(inner);
    }

    /** The third-party captures as they are: VXLAN and GENEVE between hosts that are no configured interface. */
    @Test
    void shouldSumAsThePerPacketRowsOnEveryRealCapture() throws Exception
    {
        Tshark.assumeToolsAvailable();
        for (final Path capture : SharedCaptures.all())
        {
            assertSummaryAsTsharkReads(capture);
        }
    }

    @Test
    void shouldPrintAZeroTargetLineForAnEmptyCapture(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("empty.pcap");
        writeTimed(capture, List.of(), List.of());
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("explain", "--config", "getting-started.json", "--pcap", capture.toString(), "--summary"))
            .isZero();

        assertThat(cli.out.toString().lines()).containsExactly(ExplainSummary.HEADER, "target " + TARGET +
            " span_seconds=0.000000000 copies=0 mirrored_bytes=0 received_bytes=0 mean_bits_per_second=-" +
            " peak_bits_per_second=0");
    }

    /** {@code mirror} runs plain options without picocli: the summary is the same either way. */
    @Test
    void shouldSummarizeAlikeWithAndWithoutPicocli(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("instance.pcap");
        writeTimed(capture, MirroredTraffic.instanceFrames(), MirroredTraffic.instanceFrames().stream()
            .map(frame -> SECOND * frame.length / 64).toList());
        final CliRunner picocli = new CliRunner();
        assertThat(picocli.run("explain", "--summary", "--config", "getting-started.json", "--pcap", capture.toString()))
            .isZero();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();

        assertThat(MirrorCommand.execute(new String[]{"explain", "--summary", "--config", "getting-started.json",
            "--pcap", capture.toString()}, new PrintWriter(out, true), new PrintWriter(err, true))).isZero();

        assertThat(out.toString()).isEqualTo(picocli.out.toString()).contains("target " + TARGET + " ");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldRefuseBadInputsInOneLine(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("instance.pcap");
        writeTimed(capture, MirroredTraffic.instanceFrames().subList(0, 1), List.of(SECOND));

        final CliRunner both = new CliRunner();
        assertThat(both.run("explain", "--config", "getting-started.json", "--pcap", capture.toString(), "--summary",
            "--verbose")).isEqualTo(2);
        assertThat(both.out.toString()).isEmpty();
        assertThat(both.err.toString().lines()).singleElement().asString()
            .isEqualTo("mirror explain: --summary and --verbose cannot be combined: --verbose explains each row, " +
                "--summary prints totals");

        final CliRunner missing = new CliRunner();
        assertThat(missing.run("explain", "--config", "getting-started.json", "--pcap", "nope.pcap", "--summary"))
            .isEqualTo(2);
        assertThat(missing.err.toString().lines()).singleElement().asString()
            .isEqualTo("mirror explain: no such file: nope.pcap");

        final Path cut = dir.resolve("cut.pcap");
        final byte[] whole = Files.readAllBytes(capture);
        Files.write(cut, Arrays.copyOf(whole, whole.length - 3));
        final CliRunner truncated = new CliRunner();
        assertThat(truncated.run("explain", "--config", "getting-started.json", "--pcap", cut.toString(), "--summary"))
            .isEqualTo(1);
        assertThat(truncated.out.toString().lines()).containsExactly(ExplainSummary.HEADER);
        assertThat(truncated.err.toString().lines()).singleElement().asString()
            .startsWith("mirror explain: ").contains(cut.toString());
    }

    private static void assertSummaryAsTsharkReads(final Path capture) throws Exception
    {
        final List<Integer> lengths = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        for (final String[] packet : Tshark.fields(capture, List.of(), "frame.cap_len", "frame.time_epoch"))
        {
            lengths.add(Integer.parseInt(packet[0]));
            times.add(new BigDecimal(packet[1]).movePointRight(9).longValueExact());
        }
        assertSummary(capture, lengths, times);
    }

    /**
     * Runs explain twice on the capture, plain and with {@code --summary}, and checks the summary against the sums
     * of the plain rows.
     */
    private static void assertSummary(final Path capture, final List<Integer> lengths, final List<Long> times)
    {
        final CliRunner plain = new CliRunner();
        assertThat(plain.run("explain", "--config", "getting-started.json", "--pcap", capture.toString())).isZero();
        final CliRunner summary = new CliRunner();
        assertThat(summary.run("explain", "--config", "getting-started.json", "--pcap", capture.toString(),
            "--summary")).isZero();

        final Map<String, long[]> expected = new TreeMap<>();
        final Map<Long, Long> bitsPerSecond = new HashMap<>();
        long copies = 0;
        long mirrored = 0;
        final List<String> rows = plain.out.toString().lines().skip(1).toList();
        for (final String row : rows)
        {
            final String[] cells = row.split(",", -1);
            final int index = Integer.parseInt(cells[0]) - 1;
            final String key = cells[2] + "," + cells[3] + "," + cells[1] + "," + cells[5] + "," + cells[6];
            final long[] sums = expected.computeIfAbsent(key, k -> new long[3]);
            final long bytes = Long.parseLong(cells[7]);
            sums[0]++;
            sums[1] += lengths.get(index);
            sums[2] += bytes;
            if (cells[6].equals("accept"))
            {
                assertThat(cells[3]).isEqualTo(SESSION);
                copies++;
                mirrored += bytes;
                final long second = Math.floorDiv(times.get(index) - times.get(0), SECOND);
                bitsPerSecond.merge(second, 8 * (bytes + 50), Long::sum);
            }
        }

        final List<String> out = summary.out.toString().lines().toList();
        assertThat(out.get(0)).isEqualTo(ExplainSummary.HEADER);
        final Map<String, long[]> actual = new TreeMap<>();
        for (final String row : out.subList(1, out.size() - 1))
        {
            final String[] cells = row.split(",", -1);
            assertThat(cells).hasSize(8);
            final String key = String.join(",", List.of(cells).subList(0, 5));
            assertThat(actual.put(key, new long[]{Long.parseLong(cells[5]), Long.parseLong(cells[6]),
                Long.parseLong(cells[7])})).as("one row of %s", key).isNull();
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (final String key : expected.keySet())
        {
            assertThat(actual.get(key)).as(key).containsExactly(expected.get(key));
        }

        final long earliest = times.stream().mapToLong(Long::longValue).min().orElse(0);
        final long latest = times.stream().mapToLong(Long::longValue).max().orElse(0);
        final long seconds = Math.floorDiv(latest - times.get(0), SECOND) - Math.floorDiv(earliest - times.get(0), SECOND) + 1;
        final long bits = bitsPerSecond.values().stream().mapToLong(Long::longValue).sum();
        final long peak = bitsPerSecond.values().stream().mapToLong(Long::longValue).max().orElse(0);
        assertThat(out.get(out.size() - 1)).isEqualTo("target " + TARGET +
            " span_seconds=" + BigDecimal.valueOf(latest - earliest, 9).toPlainString() +
            " copies=" + copies + " mirrored_bytes=" + mirrored + " received_bytes=" + (mirrored + 50 * copies) +
            " mean_bits_per_second=" + BigDecimal.valueOf(bits).divide(BigDecimal.valueOf(seconds), 0,
                RoundingMode.HALF_UP).toPlainString() +
            " peak_bits_per_second=" + peak);
    }

    /** A little-endian, microsecond pcap file of Ethernet frames at the given times (nanoseconds, whole micros). */
    static void writeTimed(final Path file, final List<byte[]> frames, final List<Long> times) throws IOException
    {
        final int size = 24 + frames.stream().mapToInt(frame -> 16 + frame.length).sum();
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65_535).putInt(1);
        for (int i = 0; i < frames.size(); i++)
        {
            final long micros = times.get(i) / 1_000;
            out.putInt((int)(micros / 1_000_000)).putInt((int)(micros % 1_000_000))
                .putInt(frames.get(i).length).putInt(frames.get(i).length).put(frames.get(i));
        }
        Files.write(file, out.array());
    }
}
