package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a filter is compiled against besides its rules: the source interface's VPC CIDR blocks (to find the
 * Amazon DNS resolver) and the AWS exclusions switch. Immutable.
 *
 * <p>Decision: the VPC resolver is the primary IPv4 CIDR block's base + 2 (AWS places the Amazon DNS server
 * in the primary block only); the primary block is the first IPv4 block listed. 169.254.169.253 and
 * fd00:ec2::253 are resolvers whatever the VPC. Without a VPC IPv4 block only those two are.
 */
public final class MatchOptions
{
    /** No VPC CIDR blocks known, AWS exclusions on. */
    public static final MatchOptions DEFAULTS = builder().build();

    private final List<Cidr> vpcCidrBlocks;
    private final boolean awsExclusions;

    private MatchOptions(final Builder builder)
    {
        this.vpcCidrBlocks = List.copyOf(builder.vpcCidrBlocks);
        this.awsExclusions = builder.awsExclusions;
    }

    /** @return a builder with no VPC blocks and the AWS exclusions on */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder()
    {
        return new Builder().vpcCidrBlocks(vpcCidrBlocks).awsExclusions(awsExclusions);
    }

    /** @return the VPC's CIDR blocks, primary IPv4 block first among the IPv4 ones */
    public List<Cidr> vpcCidrBlocks()
    {
        return vpcCidrBlocks;
    }

    /** @return the primary IPv4 block, the first IPv4 block listed */
    public Optional<Cidr> primaryIpv4Block()
    {
        return vpcCidrBlocks.stream().filter(Cidr::isIpv4).findFirst();
    }

    /** @return whether traffic AWS never mirrors (ARP and other non-IP frames, DHCP, metadata, ...) is excluded */
    public boolean awsExclusions()
    {
        return awsExclusions;
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o || (o instanceof MatchOptions that && awsExclusions == that.awsExclusions
            && vpcCidrBlocks.equals(that.vpcCidrBlocks));
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(vpcCidrBlocks, awsExclusions);
    }

    @Override
    public String toString()
    {
        return "MatchOptions{vpcCidrBlocks=" + vpcCidrBlocks + ", awsExclusions=" + awsExclusions + '}';
    }

    /** Builds {@link MatchOptions}. */
    public static final class Builder
    {
        private final List<Cidr> vpcCidrBlocks = new ArrayList<>();
        private boolean awsExclusions = true;

        private Builder()
        {
        }

        /**
         * @param blocks the VPC's CIDR blocks, replacing any given before; the first IPv4 one is the primary
         * @return this
         */
        public Builder vpcCidrBlocks(final List<Cidr> blocks)
        {
            vpcCidrBlocks.clear();
            blocks.forEach(block -> vpcCidrBlocks.add(Objects.requireNonNull(block, "vpc CIDR block")));
            return this;
        }

        /**
         * @param block one more VPC CIDR block
         * @return this
         */
        public Builder addVpcCidrBlock(final Cidr block)
        {
            vpcCidrBlocks.add(Objects.requireNonNull(block, "vpc CIDR block"));
            return this;
        }

        /**
         * @param enabled whether to reproduce the traffic AWS never mirrors (default on)
         * @return this
         */
        public Builder awsExclusions(final boolean enabled)
        {
            awsExclusions = enabled;
            return this;
        }

        /** @return the options */
        public MatchOptions build()
        {
            return new MatchOptions(this);
        }
    }
}
