package io.trafficmirror.examples.cli.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Locale;

/**
 * What the interop tests need from the machine. Each check skips the calling test with a message saying what is
 * missing; CI runs them as root with tshark installed ({@code .ci/run}).
 */
final class InteropEnvironment
{
    private InteropEnvironment()
    {
    }

    /** Skips unless tshark and capinfos run. */
    static void assumeTshark(final String what) throws InterruptedException
    {
        assumeTrue(Commands.succeeds("tshark", "-v") && Commands.succeeds("capinfos", "-v"),
            "tshark or capinfos is not installed (apt-get install tshark): skipping " + what);
    }

    /** Skips unless this is Linux, the user is root, and tshark is installed. */
    static void assumeRootWithTshark(final String what) throws Exception
    {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
            "not Linux: skipping " + what);
        assumeTrue(Commands.run(List.of("id", "-u")).stdout().strip().equals("0"),
            "not root: skipping " + what + " (it creates a network namespace; CI runs it as root)");
        assumeTrue(Commands.succeeds("ip", "-V"), "iproute2 (ip) is not installed: skipping " + what);
        assumeTshark(what);
    }
}
