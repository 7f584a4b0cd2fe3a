package io.trafficmirror.core.capture;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The real captures under {@code ${trafficmirror.shared.dir}/data/vxlan/}, read in place, never copied. */
public final class SharedCaptures
{
    public static final String AWS_CAPTURE = "aws-traffic-mirror-ssh-dns-ntp.pcap";
    public static final String GENEVE_CAPTURE = "geneve-vni123.pcap";

    private SharedCaptures()
    {
    }

    public static Path directory()
    {
        return Path.of(System.getProperty("trafficmirror.shared.dir", "../../shared"), "data", "vxlan");
    }

    public static Path file(final String name)
    {
        final Path path = directory().resolve(name);
        assumeTrue(Files.isReadable(path),
            "capture " + path + " is missing: set -Dtrafficmirror.shared.dir to the shared directory");
        return path;
    }

    /** Every .pcap in the directory, sorted by name. */
    public static List<Path> all() throws IOException
    {
        assumeTrue(Files.isDirectory(directory()),
            "captures " + directory() + " are missing: set -Dtrafficmirror.shared.dir to the shared directory");
        try (Stream<Path> files = Files.list(directory()))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcap")).sorted().collect(Collectors.toList());
        }
    }
}
