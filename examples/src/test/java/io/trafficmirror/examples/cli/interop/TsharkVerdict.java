package io.trafficmirror.examples.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What tshark and capinfos say about a capture file we wrote. Wireshark's expert severity "Error" is 0x00800000
 * (8388608), as {@code tshark -G values} lists for {@code _ws.expert.severity}; a malformed packet carries the
 * field {@code _ws.malformed}.
 */
final class TsharkVerdict
{
    static final String SEVERITY_ERROR = Integer.toString(0x0080_0000);

    private static final Pattern PACKETS = Pattern.compile("Number of packets:\\s+(\\d+)");

    private TsharkVerdict()
    {
    }

    /**
     * Asserts that tshark reads every packet of the file without an error, a malformed packet or an expert error,
     * and that capinfos counts as many packets as tshark dissected; returns that count.
     */
    static int assertReadsCleanly(final Path file) throws IOException, InterruptedException
    {
        final Commands.Result read = Commands.run(List.of("tshark", "-n", "-r", file.toString(),
            "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "_ws.expert.severity", "-e", "_ws.malformed", "-e", "_ws.expert.message"));
        assertThat(read.exitCode()).as("tshark -r %s: %s", file, read.stderr()).isZero();
        assertThat(Commands.complaints(read.stderr())).as("what tshark -r %s printed on standard error", file).isEmpty();

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

        final String info = Commands.check("capinfos", "-M", "-c", file.toString());
        final Matcher matcher = PACKETS.matcher(info);
        assertThat(matcher.find()).as("capinfos -c %s: %s", file, info).isTrue();
        assertThat(Integer.parseInt(matcher.group(1))).as("capinfos' packet count of %s", file).isEqualTo(packets);
        return packets;
    }
}
