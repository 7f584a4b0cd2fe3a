package io.trafficmirror.examples.cli.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external programs (ip, tshark, capinfos, bash) to completion, bounded in time, keeping what they print. */
final class Commands
{
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** What a finished program printed, and how it ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr)
    {
        boolean succeeded()
        {
            return exitCode == 0;
        }

        String describe()
        {
            return String.join(" ", command) + " exited " + exitCode + "; stdout: " + stdout.strip() + "; stderr: " +
                stderr.strip();
        }
    }

    private Commands()
    {
    }

    static Result run(final List<String> command) throws IOException, InterruptedException
    {
        final Path stdout = Files.createTempFile("tm-interop", ".out");
        final Path stderr = Files.createTempFile("tm-interop", ".err");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IOException("timed out after " + TIMEOUT + ": " + String.join(" ", command));
            }
            return new Result(List.copyOf(command), process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    /** Runs the command and returns its standard output; any other exit code than 0 is an IOException. */
    static String check(final String... command) throws IOException, InterruptedException
    {
        final Result result = run(List.of(command));
        if (!result.succeeded())
        {
            throw new IOException(result.describe());
        }
        return result.stdout();
    }

    /** True when the command could be started and exited 0. */
    static boolean succeeds(final String... command) throws InterruptedException
    {
        try
        {
            return run(List.of(command)).succeeded();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Standard error without the warning tshark and its tools print whenever they run as root. */
    static String complaints(final String stderr)
    {
        final StringBuilder kept = new StringBuilder();
        for (final String line : stderr.split("\n"))
        {
            if (!line.isBlank() && !line.startsWith("Running as user \"root\""))
            {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }
}
