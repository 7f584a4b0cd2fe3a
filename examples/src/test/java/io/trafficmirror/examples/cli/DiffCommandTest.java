package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mirror diff} against two plain {@code mirror explain} runs: the rows it lists are worked out here from
 * the two per-packet outputs, paired by packet and interface.
 */
class DiffCommandTest
{
    private static final Path DEMO_CAPTURE = Path.of("src/main/resources/demo/getting-started-traffic.pcap");

    @Test
    void shouldListExactlyThePacketsOneChangedRuleDecidesDifferently(@TempDir final Path dir) throws Exception
    {
        final Path capture = capture(dir);
        // Ingress rule 100 accepts SSH instead of rejecting it.
        final Path after = dir.resolve("after.json");
        Files.writeString(after, Files.readString(Path.of("getting-started.json"))
            .replaceFirst("\"RuleAction\": \"reject\"", "\"RuleAction\": \"accept\""));

        final List<String> expected = expectedDiff(Path.of("getting-started.json"), after, capture);
        final CliRunner cli = new CliRunner();
        assertThat(cli.run("diff", "--before", "getting-started.json", "--after", after.toString(),
            "--pcap", capture.toString())).isZero();

        final List<String> out = cli.out.toString().lines().toList();
        final long packets = Pcap.read(capture).size();
        assertThat(expected).isNotEmpty().allSatisfy(row -> assertThat(row).contains(",inbound,-,-,-,none,0,inbound,"));
        assertThat(out.get(0)).isEqualTo(DiffCommand.HEADER);
        assertThat(out.subList(1, out.size() - 1)).containsExactlyElementsOf(expected);
        final long changed = expected.stream().map(row -> row.substring(0, row.indexOf(','))).distinct().count();
        assertThat(out.get(out.size() - 1)).isEqualTo("changed: " + changed + " of " + packets + " packets");
        assertThat(cli.err.toString()).isEmpty();
    }

    @Test
    void shouldListNothingForTheSameConfiguration(@TempDir final Path dir) throws Exception
    {
        final Path capture = capture(dir);
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("diff", "--before", "getting-started.json", "--after", "getting-started.json",
            "--pcap", capture.toString())).isZero();

        assertThat(cli.out.toString().lines())
            .containsExactly(DiffCommand.HEADER, "changed: 0 of " + Pcap.read(capture).size() + " packets");
    }

    /** A smaller packet length changes the mirrored bytes of every long enough packet, and nothing else. */
    @Test
    void shouldListPacketsWhoseMirroredBytesChange(@TempDir final Path dir) throws Exception
    {
        final Path capture = capture(dir);
        final Path after = dir.resolve("short.json");
        Files.writeString(after, Files.readString(Path.of("getting-started.json"))
            .replace("\"PacketLength\": 8500", "\"PacketLength\": 100"));
        final List<String> expected = expectedDiff(Path.of("getting-started.json"), after, capture);
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("diff", "--before", "getting-started.json", "--after", after.toString(),
            "--pcap", capture.toString())).isZero();

        assertThat(expected).isNotEmpty().allSatisfy(row -> assertThat(row).endsWith(",accept,100"));
        assertThat(cli.out.toString().lines().skip(1).limit(expected.size())).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldReportBadInputsWithTheConventionalExitCodes(@TempDir final Path dir) throws Exception
    {
        final Path capture = capture(dir);

        final CliRunner missing = new CliRunner();
        assertThat(missing.run("diff", "--before", "getting-started.json", "--after", "nope.json", "--pcap",
            capture.toString())).isEqualTo(2);
        assertThat(missing.out.toString()).isEmpty();
        assertThat(missing.err.toString().lines()).singleElement().asString()
            .isEqualTo("mirror diff: no such file: nope.json");

        final Path invalid = dir.resolve("invalid.json");
        Files.writeString(invalid, Files.readString(Path.of("getting-started.json"))
            .replaceFirst("\"RuleNumber\": 100,", "\"RuleNumber\": 40000,"));
        final CliRunner bad = new CliRunner();
        assertThat(bad.run("diff", "--before", invalid.toString(), "--after", "getting-started.json", "--pcap",
            capture.toString())).isEqualTo(1);
        assertThat(bad.err.toString().lines().findFirst()).get().asString()
            .startsWith("mirror diff: " + invalid + ": 1 problem(s)");

        final Path corrupt = dir.resolve("corrupt.pcap");
        Files.write(corrupt, new byte[]{(byte)0xd4, (byte)0xc3, (byte)0xb2, (byte)0xa1, 2, 0, 4, 0, 0, 0});
        final CliRunner unreadable = new CliRunner();
        assertThat(unreadable.run("diff", "--before", "getting-started.json", "--after", "getting-started.json",
            "--pcap", corrupt.toString())).isEqualTo(1);
        assertThat(unreadable.err.toString().lines()).singleElement().asString()
            .startsWith("mirror diff: ").contains("corrupt.pcap");

        // A capture cut inside its last record: no count line, as a count of part of it would read as the whole.
        final Path cut = dir.resolve("cut.pcap");
        final byte[] whole = Files.readAllBytes(capture);
        Files.write(cut, Arrays.copyOf(whole, whole.length - 3));
        final CliRunner truncated = new CliRunner();
        assertThat(truncated.run("diff", "--before", "getting-started.json", "--after", "getting-started.json",
            "--pcap", cut.toString())).isEqualTo(1);
        assertThat(truncated.out.toString().lines()).containsExactly(DiffCommand.HEADER);
        assertThat(truncated.err.toString().lines()).singleElement().asString()
            .startsWith("mirror diff: ").contains(cut.toString());

        final CliRunner noAfter = new CliRunner();
        assertThat(noAfter.run("diff", "--before", "getting-started.json", "--pcap", capture.toString())).isEqualTo(2);
        assertThat(noAfter.err.toString().lines().findFirst()).get().asString()
            .isEqualTo("mirror diff: Missing required option: '--after=B.json'");
    }

    /** The demo's web-server capture followed by the instance's traffic of the test support. */
    private static Path capture(final Path dir) throws Exception
    {
        final List<byte[]> frames = new ArrayList<>(Pcap.frames(DEMO_CAPTURE));
        frames.addAll(MirroredTraffic.instanceFrames());
        frames.add(MirroredTraffic.vxlan(3));
        final Path capture = dir.resolve("traffic.pcap");
        Pcap.write(capture, frames);
        return capture;
    }

    /** The diff's rows from two plain explain runs: rows paired by index and interface, kept where they differ. */
    private static List<String> expectedDiff(final Path before, final Path after, final Path capture)
    {
        final Map<String, String[]> was = explain(before, capture);
        final Map<String, String[]> will = explain(after, capture);
        assertThat(will.keySet()).isEqualTo(was.keySet());
        final List<String> rows = new ArrayList<>();
        for (final Map.Entry<String, String[]> entry : was.entrySet())
        {
            final String[] a = entry.getValue();
            final String[] b = will.get(entry.getKey());
            final String aSide = String.join(",", a[1], a[3], a[4], a[5], a[6], a[7]);
            final String bSide = String.join(",", b[1], b[3], b[4], b[5], b[6], b[7]);
            if (!aSide.equals(bSide))
            {
                rows.add(a[0] + "," + a[2] + "," + aSide + "," + bSide);
            }
        }
        return rows;
    }

    private static Map<String, String[]> explain(final Path config, final Path capture)
    {
        final CliRunner cli = new CliRunner();
        assertThat(cli.run("explain", "--config", config.toString(), "--pcap", capture.toString())).isZero();
        final Map<String, String[]> rows = new LinkedHashMap<>();
        cli.out.toString().lines().skip(1).forEach(row ->
        {
            final String[] cells = row.split(",", -1);
            rows.put(cells[0] + "," + cells[2], cells);
        });
        return rows;
    }
}
