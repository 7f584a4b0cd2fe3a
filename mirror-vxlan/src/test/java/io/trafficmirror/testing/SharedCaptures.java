package io.trafficmirror.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The third-party captures (a real AWS Traffic Mirroring capture, suricata-verify's VXLAN and GENEVE traces) under
 * {@code ${trafficmirror.shared.dir}/data/vxlan/}. They stay outside the project, so a clone alone does not have
 * them: only tests whose subject is one of these captures use this class, and they skip, saying why, without it.
 */
public final class SharedCaptures
{
    public static final String AWS_CAPTURE = "aws-traffic-mirror-ssh-dns-ntp.pcap";
    public static final String GENEVE_CAPTURE = "geneve-vni123.pcap";

    private SharedCaptures()
    {
    }

    /** Where the captures are looked for; the build sets the property to the directory beside the clone. */
    public static Path directory()
    {
        return Path.of(System.getProperty("trafficmirror.shared.dir", "../../shared"), "data", "vxlan");
    }

    /** The capture of that name; skips the calling test, saying why, when it is not there. */
    public static Path file(final String name)
    {
        final Path path = directory().resolve(name);
        assumeTrue(Files.isReadable(path), "third-party capture " + path + " is not beside this clone "
            + "(-Dtrafficmirror.shared.dir names the directory that holds data/vxlan/): skipping this check of it");
        return path;
    }

    /** Every .pcap of the directory, sorted by name; skips the calling test, saying why, when there are none. */
    public static List<Path> all() throws IOException
    {
        assumeTrue(Files.isDirectory(directory()), "third-party captures " + directory() + " are not beside this clone"
            + " (-Dtrafficmirror.shared.dir names the directory that holds data/vxlan/): skipping this check of them");
        try (Stream<Path> files = Files.list(directory()))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcap")).sorted().toList();
        }
    }
}
