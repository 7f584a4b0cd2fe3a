package io.trafficmirror.vxlan;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs tshark, the outside judge of what is on the wire. */
final class Tshark
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static Boolean available;

    private Tshark()
    {
    }

    static synchronized boolean available()
    {
        if (available == null)
        {
            try
            {
                available = run(List.of("tshark", "-v")).contains("TShark");
            }
            catch (final IOException | RuntimeException e)
            {
                available = false;
            }
        }
        return available;
    }

    static void assumeAvailable()
    {
        assumeTrue(available(), "tshark is not installed (apt-get install tshark): skipping the tshark interop check");
    }

    /** One row per packet, one cell per field; a field that occurs in several layers has them joined by '|'. */
    static List<String[]> fields(final Path pcap, final List<String> options, final String... fields) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        command.addAll(options);
        command.addAll(List.of("-T", "fields", "-E", "separator=/t", "-E", "aggregator=|", "-E", "occurrence=a"));
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        final List<String[]> rows = new ArrayList<>();
        for (final String line : run(command).split("\n"))
        {
            if (!line.isEmpty())
            {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    static String first(final String cell)
    {
        final int bar = cell.indexOf('|');
        return bar < 0 ? cell : cell.substring(0, bar);
    }

    static String nth(final String cell, final int index)
    {
        final String[] parts = cell.split("\\|", -1);
        return index < parts.length ? parts[index] : "";
    }

    static byte[] hex(final String hex)
    {
        return HexFormat.of().parseHex(hex.replace(":", ""));
    }

    static String run(final List<String> command) throws IOException
    {
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        try
        {
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            if (process.exitValue() != 0)
            {
                throw new IOException("exit " + process.exitValue() + ": " + command);
            }
            return new String(out, StandardCharsets.UTF_8);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + command, e);
        }
    }
}
