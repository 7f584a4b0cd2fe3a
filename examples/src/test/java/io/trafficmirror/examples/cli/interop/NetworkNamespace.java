package io.trafficmirror.examples.cli.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A private network namespace joined to the root namespace by a veth pair, for one test class. Outer addresses
 * are a /24 of 198.18.0.0/15 that no interface of the root namespace uses yet: {@code .1} on the root side,
 * {@code .2} inside. IPv6 is off inside, so that no router solicitation or MLD report mixes into the captures.
 * {@link #close()} deletes the namespace, its devices and the root end of the veth pair.
 */
final class NetworkNamespace implements AutoCloseable
{
    private final String name;
    private final String rootVeth;
    private final String innerVeth;
    private final String rootAddress;
    private final String address;

    private NetworkNamespace(final String name, final String suffix, final String subnet)
    {
        this.name = name;
        this.rootVeth = "tmia" + suffix;
        this.innerVeth = "tmib" + suffix;
        this.rootAddress = subnet + ".1";
        this.address = subnet + ".2";
    }

    /** Creates the namespace and the veth pair, or skips the test when {@code ip netns} does not work here. */
    static NetworkNamespace create(final String what) throws Exception
    {
        final String suffix = Long.toString(ProcessHandle.current().pid() % 1_296, 36) +
            Integer.toString(ThreadLocalRandom.current().nextInt(46_656), 36);
        final String name = "tmci-" + suffix;
        final String subnet = freeSubnet();
        final Commands.Result added = Commands.run(List.of("ip", "netns", "add", name));
        assumeTrue(added.succeeded(), "'ip netns add' does not work here (" + added.stderr().strip() + "): skipping " +
            what);
        final NetworkNamespace namespace = new NetworkNamespace(name, suffix, subnet);
        try
        {
            namespace.setUp();
        }
        catch (final Exception ex)
        {
            namespace.close();
            throw ex;
        }
        return namespace;
    }

    private static String freeSubnet() throws IOException, InterruptedException
    {
        final String used = Commands.check("ip", "-4", "-o", "addr", "show") + Commands.check("ip", "-4", "route", "show");
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final String subnet = "198.18." + (1 + ThreadLocalRandom.current().nextInt(254));
            if (!used.contains(subnet + "."))
            {
                return subnet;
            }
        }
        throw new IOException("no free /24 in 198.18.0.0/16 for the test namespace");
    }

    private void setUp() throws IOException, InterruptedException
    {
        Commands.check("ip", "link", "add", rootVeth, "type", "veth", "peer", "name", innerVeth);
        Commands.check("ip", "link", "set", innerVeth, "netns", name);
        Commands.check("ip", "addr", "add", rootAddress + "/24", "dev", rootVeth);
        Commands.check("ip", "link", "set", rootVeth, "up");
        Commands.check("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1");
        ip("link", "set", "lo", "up");
        ip("addr", "add", address + "/24", "dev", innerVeth);
        ip("link", "set", innerVeth, "up");
    }

    /**
     * Adds a kernel VXLAN device inside: the given VNI, UDP port 4789, local address the inner veth's, remote the
     * root side's, no learning, up.
     */
    void addVxlan(final String device, final int vni) throws IOException, InterruptedException
    {
        ip("link", "add", device, "type", "vxlan", "id", Integer.toString(vni), "dstport", "4789", "local", address,
            "remote", rootAddress, "dev", innerVeth, "nolearning");
        ip("link", "set", device, "up");
    }

    /** Runs {@code ip -n NAMESPACE ARGS...}. */
    String ip(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return Commands.check(command.toArray(String[]::new));
    }

    /** Runs {@code bash -c SCRIPT} inside the namespace. */
    void bash(final String script) throws IOException, InterruptedException
    {
        Commands.check("ip", "netns", "exec", name, "bash", "-c", script);
    }

    /** The command prefix that runs a program inside this namespace. */
    List<String> exec()
    {
        return List.of("ip", "netns", "exec", name);
    }

    String name()
    {
        return name;
    }

    /** The outer address of the root namespace's end of the veth pair. */
    String rootAddress()
    {
        return rootAddress;
    }

    /** The outer address of the namespace's end of the veth pair. */
    String address()
    {
        return address;
    }

    @Override
    public void close()
    {
        // Clean up even when the test thread was interrupted; the interrupt is kept for the caller.
        boolean interrupted = Thread.interrupted();
        interrupted |= deleteQuietly("ip", "netns", "del", name);
        // Deleting the namespace deletes its veth end and with it the pair; this covers a half-done set-up.
        interrupted |= deleteQuietly("ip", "link", "del", rootVeth);
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a clean-up command whatever it says; true if interrupted while waiting for it. */
    private static boolean deleteQuietly(final String... command)
    {
        try
        {
            Commands.succeeds(command);
            return false;
        }
        catch (final InterruptedException ex)
        {
            return true;
        }
    }
}
