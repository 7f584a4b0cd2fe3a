package io.trafficmirror.core.config;

import io.trafficmirror.filter.FieldsText;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.IpAddressText;
import io.trafficmirror.filter.Violations;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A mirror source: the network interface whose traffic sessions mirror, as {@code describe-network-interfaces}
 * shows it, with the CIDR blocks of its VPC.
 * <p>
 * The addresses decide direction (a packet to one of them is ingress, from one of them egress); the MAC
 * decides it for non-IP frames; the VPC's primary IPv4 block locates the Amazon DNS resolver (base + 2).
 * An interface needs at least one IP address. Immutable; build with {@link #builder()}.
 */
public final class MirrorSource
{
    /**
     * The most CIDR blocks of one address family a VPC may list: 50, the largest an adjusted VPC quota allows for IPv4
     * (5 by default). It also bounds the work of validating a hostile document, whose VPC blocks belong to each of the
     * VPC's interfaces.
     */
    public static final int MAX_VPC_CIDR_BLOCKS_PER_FAMILY = 50;

    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    private final String networkInterfaceId;
    private final String macAddress;
    private final InetAddress privateIpAddress;
    private final List<InetAddress> privateIpAddresses;
    private final List<InetAddress> ipv6Addresses;
    private final String vpcId;
    private final List<Cidr> vpcCidrBlocks;

    private MirrorSource(final Builder builder, final Parsed parsed)
    {
        this.networkInterfaceId = builder.networkInterfaceId;
        this.macAddress = parsed.macAddress;
        this.privateIpAddress = parsed.privateIpAddress;
        this.privateIpAddresses = List.copyOf(parsed.privateIpAddresses);
        this.ipv6Addresses = List.copyOf(parsed.ipv6Addresses);
        this.vpcId = builder.vpcId;
        // IPv4 blocks first, each family in the order given: the first IPv4 block is the VPC's primary.
        final List<Cidr> blocks = new ArrayList<>(parsed.vpcCidrBlocks);
        blocks.sort(Comparator.comparing(Cidr::isIpv6));
        this.vpcCidrBlocks = List.copyOf(blocks);
    }

    /**
     * @return a builder with nothing set.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder holding this source's values.
     */
    public Builder toBuilder()
    {
        final Builder builder = new Builder()
            .networkInterfaceId(networkInterfaceId)
            .macAddress(macAddress)
            .vpcId(vpcId);
        if (privateIpAddress != null)
        {
            builder.privateIpAddress(IpAddressText.format(privateIpAddress));
        }
        privateIpAddresses.forEach(a -> builder.addPrivateIpAddress(IpAddressText.format(a)));
        ipv6Addresses.forEach(a -> builder.addIpv6Address(IpAddressText.format(a)));
        vpcCidrBlocks.forEach(c -> builder.addVpcCidrBlock(c.toString()));
        return builder;
    }

    /**
     * @return the interface id ({@code NetworkInterfaceId}).
     */
    public String networkInterfaceId()
    {
        return networkInterfaceId;
    }

    /**
     * @return the MAC address in lower-case colon form, when known.
     */
    public Optional<String> macAddress()
    {
        return Optional.ofNullable(macAddress);
    }

    /**
     * @return the primary private IPv4 address, when the interface has one.
     */
    public Optional<InetAddress> privateIpAddress()
    {
        return Optional.ofNullable(privateIpAddress);
    }

    /**
     * @return every private IPv4 address, the primary first.
     */
    public List<InetAddress> privateIpAddresses()
    {
        return privateIpAddresses;
    }

    /**
     * @return every IPv6 address.
     */
    public List<InetAddress> ipv6Addresses()
    {
        return ipv6Addresses;
    }

    /**
     * @return the VPC id, when known.
     */
    public Optional<String> vpcId()
    {
        return Optional.ofNullable(vpcId);
    }

    /**
     * @return the VPC's CIDR blocks: the IPv4 ones first, the primary IPv4 block leading, then the IPv6 ones.
     */
    public List<Cidr> vpcCidrBlocks()
    {
        return vpcCidrBlocks;
    }

    /**
     * @return the VPC's primary IPv4 block, whose base + 2 is the Amazon DNS resolver.
     */
    public Optional<Cidr> primaryVpcIpv4CidrBlock()
    {
        return vpcCidrBlocks.stream().filter(Cidr::isIpv4).findFirst();
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof MirrorSource))
        {
            return false;
        }
        final MirrorSource that = (MirrorSource)o;
        return Objects.equals(networkInterfaceId, that.networkInterfaceId) &&
            Objects.equals(macAddress, that.macAddress) &&
            Objects.equals(privateIpAddress, that.privateIpAddress) &&
            Objects.equals(privateIpAddresses, that.privateIpAddresses) &&
            Objects.equals(ipv6Addresses, that.ipv6Addresses) &&
            Objects.equals(vpcId, that.vpcId) &&
            Objects.equals(vpcCidrBlocks, that.vpcCidrBlocks);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(
            networkInterfaceId, macAddress, privateIpAddress, privateIpAddresses, ipv6Addresses, vpcId, vpcCidrBlocks);
    }

    @Override
    public String toString()
    {
        return new FieldsText("MirrorSource")
            .add("networkInterfaceId", networkInterfaceId)
            .add("macAddress", macAddress)
            .add("privateIpAddress", privateIpAddress == null ? null : IpAddressText.format(privateIpAddress))
            .add("privateIpAddresses", texts(privateIpAddresses))
            .add("ipv6Addresses", texts(ipv6Addresses))
            .add("vpcId", vpcId)
            .add("vpcCidrBlocks", vpcCidrBlocks)
            .toString();
    }

    private static List<String> texts(final List<InetAddress> addresses)
    {
        final List<String> texts = new ArrayList<>(addresses.size());
        addresses.forEach(a -> texts.add(IpAddressText.format(a)));
        return texts;
    }

    private static final class Parsed
    {
        String macAddress;
        InetAddress privateIpAddress;
        final List<InetAddress> privateIpAddresses = new ArrayList<>();
        final List<InetAddress> ipv6Addresses = new ArrayList<>();
        final List<Cidr> vpcCidrBlocks = new ArrayList<>();
    }

    /**
     * Builds a {@link MirrorSource}; {@link #build()} reports every problem at once. Addresses are given
     * as literals and never resolved through DNS.
     */
    public static final class Builder
    {
        private String networkInterfaceId;
        private String macAddress;
        private String privateIpAddress;
        private final List<String> privateIpAddresses = new ArrayList<>();
        private final List<String> ipv6Addresses = new ArrayList<>();
        private String vpcId;
        private final List<String> vpcCidrBlocks = new ArrayList<>();

        private Builder()
        {
        }

        /**
         * @param networkInterfaceId the interface id, e.g. {@code eni-0123456789abcdef0}; required.
         * @return this.
         */
        public Builder networkInterfaceId(final String networkInterfaceId)
        {
            this.networkInterfaceId = networkInterfaceId;
            return this;
        }

        /**
         * @param macAddress six hex octets separated by {@code :} or {@code -}; optional.
         * @return this.
         */
        public Builder macAddress(final String macAddress)
        {
            this.macAddress = macAddress;
            return this;
        }

        /**
         * @param address the primary private IPv4 address; it is added to the private addresses too.
         * @return this.
         */
        public Builder privateIpAddress(final String address)
        {
            this.privateIpAddress = address;
            return this;
        }

        /**
         * @param address another private IPv4 address.
         * @return this.
         */
        public Builder addPrivateIpAddress(final String address)
        {
            privateIpAddresses.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        /**
         * @param address an IPv6 address of the interface.
         * @return this.
         */
        public Builder addIpv6Address(final String address)
        {
            ipv6Addresses.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        /**
         * @param vpcId the VPC of the interface; required when VPC blocks are given.
         * @return this.
         */
        public Builder vpcId(final String vpcId)
        {
            this.vpcId = vpcId;
            return this;
        }

        /**
         * @param cidrBlock a CIDR block of the VPC; give the primary IPv4 block first.
         * @return this.
         */
        public Builder addVpcCidrBlock(final String cidrBlock)
        {
            vpcCidrBlocks.add(Objects.requireNonNull(cidrBlock, "cidrBlock"));
            return this;
        }

        /**
         * @return the source.
         * @throws InvalidConfigurationException listing every problem found.
         */
        public MirrorSource build()
        {
            final Violations violations = new Violations();
            final String name = networkInterfaceId == null ? "network interface" : networkInterfaceId;
            final Parsed parsed = new Parsed();
            violations.checkId(name, "NetworkInterfaceId", networkInterfaceId);
            if (macAddress != null)
            {
                final String mac = macAddress.toLowerCase(Locale.ROOT).replace('-', ':');
                if (MAC.matcher(mac).matches())
                {
                    parsed.macAddress = mac;
                }
                else
                {
                    violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, name, "MacAddress",
                        '"' + Violations.abbreviate(macAddress) + '"', "six hex octets, e.g. 0e:1a:2b:3c:4d:5e");
                }
            }
            if (privateIpAddress != null)
            {
                parsed.privateIpAddress = parseAddress(violations, name, "PrivateIpAddress", privateIpAddress, false);
                if (parsed.privateIpAddress != null)
                {
                    parsed.privateIpAddresses.add(parsed.privateIpAddress);
                }
            }
            final Set<InetAddress> seen = new HashSet<>(parsed.privateIpAddresses);
            for (int i = 0; i < privateIpAddresses.size(); i++)
            {
                final InetAddress address = parseAddress(violations, name,
                    "PrivateIpAddresses[" + i + "].PrivateIpAddress", privateIpAddresses.get(i), false);
                if (address != null && seen.add(address))
                {
                    parsed.privateIpAddresses.add(address);
                }
            }
            for (int i = 0; i < ipv6Addresses.size(); i++)
            {
                final InetAddress address = parseAddress(violations, name,
                    "Ipv6Addresses[" + i + "].Ipv6Address", ipv6Addresses.get(i), true);
                if (address != null)
                {
                    if (seen.add(address))
                    {
                        parsed.ipv6Addresses.add(address);
                    }
                    else
                    {
                        violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, name, "Ipv6Addresses[" + i + "].Ipv6Address",
                            ipv6Addresses.get(i),
                            "an address not listed twice");
                    }
                }
            }
            if (privateIpAddress == null && privateIpAddresses.isEmpty() && ipv6Addresses.isEmpty())
            {
                violations.add(Ec2ErrorCode.MISSING_PARAMETER, name, "PrivateIpAddress", null,
                    "at least one IPv4 or IPv6 address of the interface");
            }
            if (vpcId != null)
            {
                violations.checkId(name, "VpcId", vpcId);
            }
            final Set<Cidr> blocksSeen = new HashSet<>();
            for (int i = 0; i < vpcCidrBlocks.size(); i++)
            {
                final String text = vpcCidrBlocks.get(i);
                final Optional<String> problem = Cidr.problem(text);
                if (problem.isPresent())
                {
                    violations.addWithoutCode(name, "VpcCidrBlocks[" + i + "]", '"' + Violations.abbreviate(text) + '"',
                        problem.get());
                    continue;
                }
                final Cidr block = Cidr.parse(text);
                if (blocksSeen.add(block))
                {
                    parsed.vpcCidrBlocks.add(block);
                }
            }
            checkVpcBlockCount(violations, name, "VpcCidrBlocks", parsed.vpcCidrBlocks);
            if (!vpcCidrBlocks.isEmpty() && vpcId == null)
            {
                violations.addWithoutCode(name, "VpcId", null, "the VPC id, required when VPC CIDR blocks are given");
            }
            violations.throwIfAny();
            return new MirrorSource(this, parsed);
        }

        /**
         * Refuses more than {@link #MAX_VPC_CIDR_BLOCKS_PER_FAMILY} blocks of one family. No EC2 code: AWS refuses the
         * association that would pass its quota, so no listing of a real VPC holds more.
         *
         */
        private static void checkVpcBlockCount(
            final Violations violations, final String objectId, final String field, final Collection<Cidr> blocks)
        {
            int ipv6 = 0;
            for (final Cidr block : blocks)
            {
                ipv6 += block.isIpv6() ? 1 : 0;
            }
            final int ipv4 = blocks.size() - ipv6;
            if (ipv4 > MAX_VPC_CIDR_BLOCKS_PER_FAMILY || ipv6 > MAX_VPC_CIDR_BLOCKS_PER_FAMILY)
            {
                violations.addWithoutCode(objectId, field, ipv4 + " IPv4 and " + ipv6 + " IPv6 blocks",
                    "at most " + MAX_VPC_CIDR_BLOCKS_PER_FAMILY + " blocks of each family (the VPC quota's maximum)");
            }
        }

        private static InetAddress parseAddress(
            final Violations violations, final String name, final String field, final String text, final boolean ipv6)
        {
            final String family = ipv6 ? "an IPv6 address literal" : "an IPv4 address literal";
            if ((text.indexOf(':') >= 0) == ipv6)
            {
                final InetAddress address = IpAddressText.parse(text).orElse(null);
                if (ipv6 ? address instanceof Inet6Address : address instanceof Inet4Address)
                {
                    return address;
                }
            }
            violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, name, field, '"' + Violations.abbreviate(text) + '"', family);
            return null;
        }
    }
}
