package io.trafficmirror.vxlan;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real captures under {@code ${trafficmirror.shared.dir}/data/vxlan/}, which stay outside the project. */
final class SharedData
{
    static final String AWS_CAPTURE = "aws-traffic-mirror-ssh-dns-ntp.pcap";

    private SharedData()
    {
    }

    static Path directory()
    {
        final String shared = System.getProperty("trafficmirror.shared.dir", "../../shared");
        return Path.of(shared, "data", "vxlan");
    }

    static Path file(final String name)
    {
        final Path path = directory().resolve(name);
        assumeTrue(Files.isReadable(path),
            "capture " + path + " is missing: set -Dtrafficmirror.shared.dir to the shared directory");
        return path;
    }
}
