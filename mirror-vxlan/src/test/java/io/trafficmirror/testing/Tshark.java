package io.trafficmirror.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tshark, capinfos, editcap and mergecap: the outside judges of what is on the wire and in a capture file, run
 * to completion and bounded in time. Tests that need them skip, saying so, where they are not installed.
 */
public final class Tshark
{
    /** Wireshark's expert severity "Error" ({@code tshark -G values} lists it for {@code _ws.expert.severity}). */
    public static final String SEVERITY_ERROR = Integer.toString(0x0080_0000);

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static Boolean tsharkAvailable;
    private static Boolean toolsAvailable;

    /** One frame as tshark reports it; {@code timeEpoch} as tshark prints it, with nine decimals. */
    public record Frame(int length, int capturedLength, String timeEpoch, int interfaceId, String md5)
    {
    }

    private record Output(String stdout, String stderr)
    {
    }

    private Tshark()
    {
    }

    /** Whether tshark runs here. */
    public static synchronized boolean available()
    {
        if (tsharkAvailable == null)
        {
            tsharkAvailable = runs("tshark");
        }
        return tsharkAvailable;
    }

    /** Whether tshark, capinfos, editcap and mergecap all run here. */
    public static synchronized boolean toolsAvailable()
    {
        if (toolsAvailable == null)
        {
            toolsAvailable = available() && runs("capinfos") && runs("editcap") && runs("mergecap");
        }
        return toolsAvailable;
    }

    /** Skips the calling test, saying why, when tshark is not installed. */
    public static void assumeAvailable()
    {
        assumeTrue(available(), "tshark is not installed (apt-get install tshark): skipping the check against tshark");
    }

    /** Skips the calling test, saying why, when any of the Wireshark command-line tools is missing. */
    public static void assumeToolsAvailable()
    {
        assumeTrue(toolsAvailable(), "tshark, capinfos, editcap or mergecap is not installed "
            + "(apt-get install tshark): skipping the check against Wireshark");
    }

    /** One row per packet, one cell per field; a field that occurs in several layers has them joined by '|'. */
    public static List<String[]> fields(final Path pcap, final List<String> options, final String... fields)
        throws IOException
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

    /** The first layer's value of a cell {@link #fields} returned. */
    public static String first(final String cell)
    {
        final int bar = cell.indexOf('|');
        return bar < 0 ? cell : cell.substring(0, bar);
    }

    /** The value of the given layer (0 the outermost) of a cell {@link #fields} returned, or "". */
    public static String nth(final String cell, final int index)
    {
        final String[] parts = cell.split("\\|", -1);
        return index < parts.length ? parts[index] : "";
    }

    /** Bytes as tshark prints them, with or without colons. */
    public static byte[] hex(final String hex)
    {
        return HexFormat.of().parseHex(hex.replace(":", ""));
    }

    /** What tshark says of each frame: lengths, time, interface and the MD5 of the captured bytes. */
    public static List<Frame> frames(final Path capture) throws IOException
    {
        final List<Frame> frames = new ArrayList<>();
        final String out = run(List.of("tshark", "-n", "-r", capture.toString(),
            "-o", "frame.generate_md5_hash:TRUE",
            "-T", "fields", "-E", "separator=/t",
            "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch", "-e", "frame.interface_id",
            "-e", "frame.md5_hash"));
        for (final String line : out.split("\n"))
        {
            if (line.isEmpty())
            {
                continue;
            }
            final String[] cells = line.split("\t", -1);
            frames.add(new Frame(Integer.parseInt(cells[0]), Integer.parseInt(cells[1]), cells[2],
                cells[3].isEmpty() ? 0 : Integer.parseInt(cells[3]), cells[4]));
        }
        return frames;
    }

    /** The packet count capinfos reports. */
    public static long packetCount(final Path capture) throws IOException
    {
        final String out = run(List.of("capinfos", "-c", "-M", "-T", "-r", capture.toString()));
        final String[] cells = out.trim().split("\t");
        return Long.parseLong(cells[cells.length - 1].trim());
    }

    /** The file type capinfos reports ("pcap", "pcapng", "nsecpcap"). */
    public static String fileType(final Path capture) throws IOException
    {
        final String out = run(List.of("capinfos", "-t", "-M", "-T", "-r", capture.toString()));
        final String[] cells = out.trim().split("\t");
        return cells[cells.length - 1].trim();
    }

    public static void editcap(final String... arguments) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("editcap"));
        command.addAll(List.of(arguments));
        run(command);
    }

    public static void mergecap(final String... arguments) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("mergecap"));
        command.addAll(List.of(arguments));
        run(command);
    }

    /**
     * Asserts that tshark reads every packet of the file without complaint, a malformed packet or an expert error,
     * and that capinfos counts as many packets as tshark dissected; returns that count.
     */
    public static int assertReadsCleanly(final Path file) throws IOException
    {
        final Output read = execute(List.of("tshark", "-n", "-r", file.toString(),
            "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "_ws.expert.severity", "-e", "_ws.malformed", "-e", "_ws.expert.message"));
        assertThat(complaints(read.stderr())).as("what tshark -r %s printed on standard error", file).isEmpty();

        final List<String> complaints = new ArrayList<>();
        int packets = 0;
        for (final String line : read.stdout().split("\n"))
        {
            if (line.isEmpty())
            {
                continue;
            }
            packets++;
            final String[] cells = line.split("\t", -1);
            final boolean malformed = cells.length > 2 && !cells[2].isEmpty();
            final boolean error = cells.length > 1 && List.of(cells[1].split(",")).contains(SEVERITY_ERROR);
            if (malformed || error)
            {
                complaints.add(line);
            }
        }
        assertThat(complaints).as("packets of %s that tshark finds malformed or in error", file).isEmpty();
        assertThat(packetCount(file)).as("capinfos' packet count of %s", file).isEqualTo(packets);
        return packets;
    }

    /** Runs the command and returns its standard output; any exit code but 0 is an IOException. */
    public static String run(final List<String> command) throws IOException
    {
        return execute(command).stdout();
    }

    private static Output execute(final List<String> command) throws IOException
    {
        final Path stderr = Files.createTempFile("tshark", ".err");
        final Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        try
        {
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new IOException("timed out after " + TIMEOUT + ": " + command);
            }
            final String errors = Files.readString(stderr, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException("exit " + process.exitValue() + ": " + command + ": " + errors.strip());
            }
            return new Output(new String(out, StandardCharsets.UTF_8), errors);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + command, e);
        }
        finally
        {
            Files.deleteIfExists(stderr);
        }
    }

    /** Standard error without the warning tshark and its tools print whenever they run as root. */
    private static String complaints(final String stderr)
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

    private static boolean runs(final String tool)
    {
        try
        {
            run(List.of(tool, "-v"));
            return true;
        }
        catch (final IOException | RuntimeException e)
        {
            return false;
        }
    }
}
