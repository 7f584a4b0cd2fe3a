package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bad arguments and unusable files, for every subcommand: the exit code and the one line that says what is wrong.
 */
class ArgumentsTest
{
    private static final String CONFIG = "getting-started.json";

    @Test
    void shouldRefuseEveryNumericOptionOutOfItsRangeInOneLineNamingOptionValueAndRange(@TempDir final Path dir)
        throws IOException
    {
        final String capture = capture(dir).toString();
        final String missing = dir.resolve("missing").toString();
        final String out = dir.resolve("out.pcap").toString();
        // Each receive case would fail after parsing on the missing --per-vni directory, not on the value, were the
        // value let through; the first is the run that once died of an overflow.
        final List<String[]> cases = List.of(
            new String[]{"--duration", "9223372036854775807", "1 to 31536000 seconds", "receive", "--listen",
                "127.0.0.1:0", "--pcap", out},
            new String[]{"--duration", "0", "1 to 31536000 seconds", "receive", "--per-vni", missing},
            new String[]{"--duration", "-1", "1 to 31536000 seconds", "receive", "--per-vni", missing},
            new String[]{"--duration", "31536001", "1 to 31536000 seconds", "receive", "--per-vni", missing},
            new String[]{"--duration", "soon", "1 to 31536000 seconds", "receive", "--per-vni", missing},
            new String[]{"--count", "0", "1 to 9223372036854775807", "receive", "--per-vni", missing},
            new String[]{"--count", "99999999999999999999", "1 to 9223372036854775807", "receive", "--per-vni",
                missing},
            new String[]{"--vni", "16777216", "0 to 16777215", "receive", "--per-vni", missing},
            new String[]{"--vni", "-1", "0 to 16777215", "receive", "--per-vni", missing},
            new String[]{"--rcvbuf", "-1", "0 (the system's) to 2147483647 bytes", "receive", "--per-vni", missing},
            new String[]{"--rcvbuf", "2147483648", "0 (the system's) to 2147483647 bytes", "receive", "--per-vni",
                missing},
            new String[]{"--rotate-bytes", "1023", "0 (never rotate) or a file size from 1024", "receive",
                "--per-vni", missing},
            new String[]{"--rotate-bytes", "-1", "0 (never rotate) or a file size from 1024", "receive",
                "--per-vni", missing},
            new String[]{"--pps", "-1", "0 (as fast as possible) to 10000000", "replay", "--config", CONFIG,
                "--pcap", capture},
            new String[]{"--pps", "10000001", "0 (as fast as possible) to 10000000", "replay", "--config", CONFIG,
                "--pcap", capture},
            new String[]{"--pps", "99999999999999999999", "0 (as fast as possible) to 10000000", "replay",
                "--config", CONFIG, "--pcap", capture},
            new String[]{"--slots-per-target", "0", "1 to 1048576", "replay", "--config", CONFIG, "--pcap", capture},
            new String[]{"--slots-per-target", "4294967296", "1 to 1048576", "replay", "--config", CONFIG,
                "--pcap", capture},
            new String[]{"--max-vni-files", "0", "1 to 16384", "receive", "--per-vni", missing},
            new String[]{"--duration", "9223372036854775807", "1 to 31536000 seconds", "run", "--config", CONFIG,
                "--interface", "eni-missing=lo"},
            new String[]{"--snaplen", "262145", "64 to 262144 bytes", "run", "--config", CONFIG,
                "--interface", "eni-missing=lo"});
        for (final String[] c : cases)
        {
            final List<String> args = new ArrayList<>(List.of(c).subList(3, c.length));
            args.add(c[0]);
            args.add(c[1]);
            final CliRunner cli = new CliRunner();
            final String what = String.join(" ", args);

            assertThat(cli.run(args.toArray(new String[0]))).as(what).isEqualTo(MirrorCommand.EXIT_USAGE);
            final String first = cli.err.toString().lines().findFirst().orElse("");
            assertThat(first).as(what).startsWith("mirror " + args.get(0) + ": Invalid value for option ")
                .contains("'" + c[0] + "'", "'" + c[1] + "'", c[2]);
            assertThat(cli.err.toString()).as(what).doesNotContain("Exception", "no such directory");
        }
    }

    @Test
    void shouldTakeEachRangesEndsAndZeroWhereItMeansOff()
    {
        assertThat(new NumberOptions.DurationSeconds().convert("1")).isEqualTo(1L);
        assertThat(new NumberOptions.DurationSeconds().convert("31536000")).isEqualTo(31_536_000L);
        assertThat(new NumberOptions.PacketsPerSecond().convert("0")).isEqualTo(0L);
        assertThat(new NumberOptions.PacketsPerSecond().convert("10000000")).isEqualTo(10_000_000L);
        assertThat(new NumberOptions.Slots().convert("1048576")).isEqualTo(1 << 20);
        assertThat(new NumberOptions.Vni().convert("16777215")).isEqualTo(16_777_215);
        assertThat(new NumberOptions.ReceiveBuffer().convert("0")).isEqualTo(0);
        assertThat(new NumberOptions.RotateBytes().convert("0")).isEqualTo(0L);
        assertThat(new NumberOptions.RotateBytes().convert("1024")).isEqualTo(1024L);
        assertThat(new NumberOptions.FrameCount().convert("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldSayNotARegularFileForADirectoryADeviceAndAFifoNamingThePath(@TempDir final Path dir) throws Exception
    {
        final String capture = capture(dir).toString();
        final String missing = dir.resolve("missing.pcap").toString();
        assertUsage("no such file: " + missing, "explain", "--config", CONFIG, "--pcap", missing);
        assertUsage("no such file: " + missing, "validate", "--config", missing);
        assertUsage("no such file: " + missing, "replay", "--config", missing, "--pcap", capture);
        assertNotARegularFile(dir.toString(), capture);
        assertNotARegularFile("/dev/zero", capture);

        // Last, as it may be skipped: a FIFO would block the first read until a writer came, so it is never opened.
        final Path fifo = dir.resolve("fifo");
        final Process mkfifo = start(List.of("mkfifo", fifo.toString()));
        assumeTrue(mkfifo != null && mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0,
            "mkfifo is not available here: the FIFO case needs one");
        assertNotARegularFile(fifo.toString(), capture);
    }

    private static void assertNotARegularFile(final String bad, final String capture)
    {
        assertUsage("not a regular file: " + bad, "explain", "--config", bad, "--pcap", capture);
        assertUsage("not a regular file: " + bad, "explain", "--config", CONFIG, "--pcap", bad);
        assertUsage("not a regular file: " + bad, "validate", "--config", bad);
        assertUsage("not a regular file: " + bad, "replay", "--config", bad, "--pcap", capture);
        assertUsage("not a regular file: " + bad, "replay", "--config", CONFIG, "--pcap", bad);
    }

    @Test
    void shouldSayPermissionDeniedForAnErrorOfThatKindAndNoSuchFileForTheOther()
    {
        final Path file = Path.of("/var/captures/in.pcap");
        assertThat(Inputs.problem(file, new AccessDeniedException(file.toString())))
            .isEqualTo("permission denied: /var/captures/in.pcap");
        assertThat(Inputs.problem(file, new NoSuchFileException(file.toString())))
            .isEqualTo("no such file: /var/captures/in.pcap");
        assertThat(Inputs.problem(file, new IOException("Input/output error")))
            .isEqualTo("cannot read /var/captures/in.pcap: Input/output error");
    }

    @Test
    void shouldSayPermissionDeniedForAFileItCannotRead(@TempDir final Path dir) throws Exception
    {
        final String capture = capture(dir).toString();
        final Path secret = dir.resolve("secret.json");
        Files.copy(Path.of(CONFIG), secret);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        if (Files.isReadable(secret))
        {
            // Root reads any file; without the capabilities that let it, the mode applies to it as to anyone.
            final String[][] runs = {
                {"validate", "--config", secret.toString()},
                {"explain", "--config", CONFIG, "--pcap", secret.toString()},
            };
            for (final String[] args : runs)
            {
                final Process process = withoutFileCapabilities(args);
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished").isTrue();
                final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(process.exitValue()).as(err).isEqualTo(MirrorCommand.EXIT_FAILURE);
                assertThat(err).isEqualTo("mirror " + args[0] + ": permission denied: " + secret +
                    System.lineSeparator());
            }
        }
        else
        {
            assertFailure("permission denied: " + secret, "validate", "--config", secret.toString());
            assertFailure("permission denied: " + secret, "explain", "--config", secret.toString(), "--pcap", capture);
            assertFailure("permission denied: " + secret, "replay", "--config", CONFIG, "--pcap", secret.toString());
        }
    }

    /**
     * The command line in a JVM of its own that runs without the capabilities that let root read any file, or a
     * skip when that cannot be done here.
     */
    private static Process withoutFileCapabilities(final String... args) throws IOException, InterruptedException
    {
        final Process probe = start(List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "true"));
        assumeTrue(probe != null && probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
            "running as root, and setpriv cannot drop the capabilities that let root read a mode-000 file here");
        final List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set",
            "-dac_override,-dac_read_search", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), MirrorCommand.class.getName()));
        command.addAll(List.of(args));
        final Process process = start(command);
        assertThat(process).isNotNull();
        return process;
    }

    private static Process start(final List<String> command)
    {
        try
        {
            return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static Path capture(final Path dir) throws IOException
    {
        final Path capture = dir.resolve("instance.pcap");
        Pcap.write(capture, MirroredTraffic.instanceFrames());
        return capture;
    }

    private static void assertUsage(final String message, final String... args)
    {
        assertExit(MirrorCommand.EXIT_USAGE, message, args);
    }

    private static void assertFailure(final String message, final String... args)
    {
        assertExit(MirrorCommand.EXIT_FAILURE, message, args);
    }

    private static void assertExit(final int code, final String message, final String... args)
    {
        final CliRunner cli = new CliRunner();
        final String what = String.join(" ", args);
        assertThat(cli.run(args)).as(what + ": " + cli.err).isEqualTo(code);
        assertThat(cli.err.toString()).as(what).isEqualTo("mirror " + args[0] + ": " + message +
            System.lineSeparator());
    }
}
