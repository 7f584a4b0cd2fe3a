package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.examples.demo.DemoTraffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest
{
    @Test
    void shouldRunTheScenarioEndToEndAndExitZero(@TempDir final Path dir)
    {
        final CliRunner cli = new CliRunner();
        final Path output = dir.resolve("mirror-demo.pcap");

        assertThat(cli.run("demo", "--output", output.toString())).as(cli.err.toString()).isZero();

        assertThat(cli.out.toString())
            .contains("all 12 expected frames of 21 arrived intact")
            .containsPattern("tms-0c8f2e5b6a7d90123\\s+ingress\\s+100\\s+3")
            .containsPattern("eni-0f1e2d3c4b5a69788\\s+21\\s+\\d+\\s+12\\s+6\\s+0\\s+3");
        assertThat(output).exists();
    }

    @Test
    void shouldSayInOneLineBeforeAnyTrafficWhenTheOutputCannotBeWritten(@TempDir final Path dir)
    {
        final CliRunner cli = new CliRunner();
        final Path output = dir.resolve("missing-dir").resolve("x.pcap");

        assertThat(cli.run("demo", "--output", output.toString())).isEqualTo(1);

        assertThat(cli.err.toString().lines().toList())
            .containsExactly("mirror demo: cannot write " + output + ": no such directory");
        assertThat(cli.out.toString()).isEmpty();
    }

    @Test
    void shouldBundleExactlyTheTrafficTheGeneratorBuilds() throws Exception
    {
        final List<byte[]> bundled = DemoCommand.bundledFrames();
        final List<byte[]> generated = DemoTraffic.frames();

        assertThat(bundled).hasSameSizeAs(generated);
        for (int i = 0; i < generated.size(); i++)
        {
            assertThat(bundled.get(i)).as("frame %d", i + 1).isEqualTo(generated.get(i));
        }
        final List<Long> timestamps = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(Path.of("src/main/resources", DemoCommand.CAPTURE)))
        {
            while (reader.next())
            {
                timestamps.add(reader.timestampNanos());
                final ByteBuffer frame = reader.frame();
                assertThat(frame.remaining()).isEqualTo(reader.originalLength());
            }
        }
        for (int i = 0; i < timestamps.size(); i++)
        {
            assertThat(timestamps.get(i)).isEqualTo(DemoTraffic.timestamp(i));
        }
    }
}
