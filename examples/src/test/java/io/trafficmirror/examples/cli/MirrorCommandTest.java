package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MirrorCommandTest
{
    @Test
    void shouldRunPlainExplainArgumentsWithoutPicocliExactlyAsPicocliDoes(@TempDir final Path dir) throws Exception
    {
        final String capture = dir.resolve("instance.pcap").toString();
        Pcap.write(Path.of(capture), MirroredTraffic.instanceFrames());
        final Path corrupt = dir.resolve("corrupt.pcap");
        Files.write(corrupt, new byte[]{(byte)0xd4, (byte)0xc3, (byte)0xb2, (byte)0xa1, 2, 0, 4, 0, 0, 0});
        final Path badConfig = dir.resolve("bad.json");
        Files.writeString(badConfig, "{\"TrafficMirrorSessions\": [ {\"SessionNumber\": 0} ]}");

        final List<String[]> plain = List.of(
            new String[]{"explain", "--config", "getting-started.json", "--pcap", capture},
            new String[]{"explain", "--pcap=" + capture, "--verbose", "--config=getting-started.json"},
            new String[]{"explain", "--embedded-quotas", "--config", "getting-started.json", "--pcap", capture},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", "nope.pcap"},
            new String[]{"explain", "--config", "nope.json", "--pcap", capture},
            new String[]{"explain", "--config", badConfig.toString(), "--pcap", capture},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", corrupt.toString()},
            new String[]{"explain", "--summary", "--config", "getting-started.json", "--pcap", capture},
            new String[]{"explain", "--summary", "--config", "getting-started.json", "--pcap", capture, "--verbose"});
        for (final String[] args : plain)
        {
            assertThat(ExplainCommand.parsePlain(args)).as(String.join(" ", args)).isNotNull();
            assertSameAsPicocli(args);
        }

        final List<String[]> others = List.of(
            new String[]{"explain", "--config", "getting-started.json"},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", capture, "--pcap", capture},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", capture, "--verbose=false"},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", capture, "--summary", "--summary"},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", capture, "--help"},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", capture, "--bogus"},
            new String[]{"explain", "--config", "getting-started.json", "--pcap", "-"},
            new String[]{"explain", "--config", "--pcap", capture, "x"},
            new String[]{"validate", "--config", "getting-started.json", "--pcap", capture},
            new String[]{});
        for (final String[] args : others)
        {
            assertThat(ExplainCommand.parsePlain(args)).as(String.join(" ", args)).isNull();
            assertSameAsPicocli(args);
        }
    }

    @Test
    void shouldRegisterOnlyTheSubcommandAskedForYetHelpAndErrorsAsWithAll()
    {
        assertThat(MirrorCommand.commandLine("explain").getSubcommands()).containsOnlyKeys("explain");
        assertThat(MirrorCommand.commandLine("").getSubcommands())
            .containsOnlyKeys("demo", "validate", "explain", "diff", "replay", "receive", "run", "help");
        for (final String[] args : List.of(new String[]{"explain", "--help"}, new String[]{"explain", "--nope"},
            new String[]{"validate", "--help"}, new String[]{"replay"}, new String[]{"receive", "--help"},
            new String[]{"run", "--help"}, new String[]{"run", "--config", "getting-started.json"},
            new String[]{"diff", "--help"}, new String[]{"diff", "--before", "getting-started.json"}))
        {
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int one = MirrorCommand.commandLine(args[0]).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
            final StringWriter allOut = new StringWriter();
            final StringWriter allErr = new StringWriter();
            final int all = MirrorCommand.commandLine().setOut(new PrintWriter(allOut, true))
                .setErr(new PrintWriter(allErr, true)).execute(args);
            assertThat(one).as(String.join(" ", args)).isEqualTo(all);
            assertThat(out.toString()).as(String.join(" ", args)).isEqualTo(allOut.toString());
            assertThat(err.toString()).as(String.join(" ", args)).isEqualTo(allErr.toString());
        }
    }

    private static void assertSameAsPicocli(final String[] args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = MirrorCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        final StringWriter picocliOut = new StringWriter();
        final StringWriter picocliErr = new StringWriter();
        final int picocliCode = MirrorCommand.commandLine().setOut(new PrintWriter(picocliOut, true))
            .setErr(new PrintWriter(picocliErr, true)).execute(args);

        final String what = String.join(" ", args);
        assertThat(code).as(what).isEqualTo(picocliCode);
        assertThat(out.toString()).as(what).isEqualTo(picocliOut.toString());
        assertThat(err.toString()).as(what).isEqualTo(picocliErr.toString());
    }
}
