package io.trafficmirror.core.config;

import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.Violation;
import nl.jqno.equalsverifier.EqualsVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.OptionalInt;

import static io.trafficmirror.core.config.Fixtures.session;
import static io.trafficmirror.core.config.Fixtures.source;
import static io.trafficmirror.core.config.Fixtures.target;
import static io.trafficmirror.core.config.Fixtures.violationsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectsValidationTest
{
    @ParameterizedTest
    @CsvSource({"0,false", "1,true", "32766,true", "32767,false"})
    void shouldBoundSessionNumbers(final int number, final boolean valid)
    {
        final MirrorSession.Builder builder = session("tms-1", "eni-1", "tmt-1", "tmf-1", number);
        if (valid)
        {
            assertThat(builder.build().sessionNumber()).isEqualTo(number);
        }
        else
        {
            assertThat(violationsOf(builder::build))
                .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tms-1", "SessionNumber",
                    number, "1..32766"));
        }
    }

    @ParameterizedTest
    @CsvSource({"-1,false", "0,true", "16777215,true", "16777216,false"})
    void shouldBoundVnis(final int vni, final boolean valid)
    {
        final MirrorSession.Builder builder = session("tms-1", "eni-1", "tmt-1", "tmf-1", 1).virtualNetworkId(vni);
        if (valid)
        {
            assertThat(builder.build().virtualNetworkId()).isEqualTo(OptionalInt.of(vni));
        }
        else
        {
            assertThat(violationsOf(builder::build))
                .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tms-1", "VirtualNetworkId",
                    vni, "0..16777215"));
        }
    }

    @ParameterizedTest
    @CsvSource({"0,false", "1,true", "8500,true", "8501,false"})
    void shouldBoundPacketLengths(final int length, final boolean valid)
    {
        final MirrorSession.Builder builder = session("tms-1", "eni-1", "tmt-1", "tmf-1", 1).packetLength(length);
        if (valid)
        {
            assertThat(builder.build().packetLength()).isEqualTo(OptionalInt.of(length));
        }
        else
        {
            assertThat(violationsOf(builder::build))
                .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tms-1", "PacketLength", length, "1..8500"));
        }
    }

    @Test
    void shouldReportEveryMissingSessionFieldAtOnce()
    {
        assertThat(violationsOf(() -> MirrorSession.builder().build())).extracting(Violation::field).containsExactly(
            "TrafficMirrorSessionId", "NetworkInterfaceId", "TrafficMirrorTargetId", "TrafficMirrorFilterId",
            "SessionNumber");
    }

    @Test
    void shouldResetSessionFieldsAsRemoveFieldsDoes()
    {
        final MirrorSession full = session("tms-1", "eni-1", "tmt-1", "tmf-1", 1)
            .virtualNetworkId(7).packetLength(100).description("d").build();

        final MirrorSession reset = full.toBuilder()
            .remove(MirrorSession.Field.PACKET_LENGTH)
            .remove(MirrorSession.Field.DESCRIPTION)
            .remove(MirrorSession.Field.VIRTUAL_NETWORK_ID)
            .build();

        assertThat(reset.packetLength()).isEmpty();
        assertThat(reset.description()).isEmpty();
        assertThat(reset.virtualNetworkId()).isEmpty();
        assertThat(full.toBuilder().build()).isEqualTo(full);
    }

    @ParameterizedTest
    @CsvSource({"575,false", "576,true", "9001,true", "9216,true", "9217,false"})
    void shouldBoundTargetMtu(final int mtu, final boolean valid)
    {
        final MirrorTarget.Builder builder = target("tmt-1").mtu(mtu);
        if (valid)
        {
            assertThat(builder.build().mtu()).isEqualTo(mtu);
        }
        else
        {
            assertThat(violationsOf(builder::build)).containsExactly(Violation.of("tmt-1", "Mtu", mtu, "576..9216"));
        }
    }

    @Test
    void shouldDefaultTargetMtuToThatOfAnAwsInterface()
    {
        assertThat(target("tmt-1").build().mtu()).isEqualTo(9001);
    }

    @Test
    void shouldNameTheResourceFieldOfEachTargetType()
    {
        assertThat(violationsOf(() -> MirrorTarget.builder().id("tmt-1").type(TargetType.NETWORK_LOAD_BALANCER).build()))
            .containsExactly(Violation.of(Ec2ErrorCode.MISSING_PARAMETER, "tmt-1", "NetworkLoadBalancerArn", null,
                "1..255 printable characters without spaces"));
        assertThat(violationsOf(() -> MirrorTarget.builder().id("tmt-1").build()))
            .containsExactly(Violation.of(Ec2ErrorCode.MISSING_PARAMETER, "tmt-1", "Type", null,
                "network-interface | network-load-balancer | gateway-load-balancer-endpoint"));
    }

    @Test
    void shouldParseSourceAddressesAndNormalizeTheMac() throws Exception
    {
        final MirrorSource source = MirrorSource.builder()
            .networkInterfaceId("eni-1")
            .macAddress("02-AB-CD-EF-00-01")
            .privateIpAddress("10.0.0.5")
            .addPrivateIpAddress("10.0.0.5")
            .addPrivateIpAddress("10.0.0.6")
            .addIpv6Address("2001:DB8::5")
            .vpcId("vpc-1")
            .addVpcCidrBlock("2001:db8::/56")
            .addVpcCidrBlock("10.0.0.0/16")
            .addVpcCidrBlock("10.1.0.0/16")
            .build();

        assertThat(source.macAddress()).contains("02:ab:cd:ef:00:01");
        assertThat(source.privateIpAddress()).contains(InetAddress.getByName("10.0.0.5"));
        assertThat(source.privateIpAddresses()).containsExactly(
            InetAddress.getByName("10.0.0.5"), InetAddress.getByName("10.0.0.6"));
        assertThat(source.ipv6Addresses()).containsExactly(InetAddress.getByName("2001:db8::5"));
        assertThat(source.vpcCidrBlocks()).as("IPv4 first, primary leading")
            .containsExactly(Cidr.parse("10.0.0.0/16"), Cidr.parse("10.1.0.0/16"), Cidr.parse("2001:db8::/56"));
        assertThat(source.primaryVpcIpv4CidrBlock()).contains(Cidr.parse("10.0.0.0/16"));
        assertThat(source.toBuilder().build()).isEqualTo(source);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0", "10.0.0.256", "::1", "host.example.com", "localhost", "10.0.0.1/32", ""})
    void shouldRejectPrivateAddressesThatAreNotIpv4Literals(final String address)
    {
        assertThat(violationsOf(() -> source("eni-1", 1).privateIpAddress(address).build()))
            .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "eni-1", "PrivateIpAddress",
                '"' + address + '"', "an IPv4 address literal"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "::ffff:10.0.0.1", "fe80::1%eth0", "2001:db8::g", "localhost"})
    void shouldRejectIpv6AddressesThatAreNotIpv6Literals(final String address)
    {
        assertThat(violationsOf(() -> source("eni-1", 1).addIpv6Address(address).build()))
            .extracting(Violation::field).containsExactly("Ipv6Addresses[0].Ipv6Address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"02:00:00:00:00", "02:00:00:00:00:00:00", "0g:00:00:00:00:00", "020000000000"})
    void shouldRejectMalformedMacs(final String mac)
    {
        assertThat(violationsOf(() -> source("eni-1", 1).macAddress(mac).build()))
            .extracting(Violation::field).containsExactly("MacAddress");
    }

    @Test
    void shouldRequireAnAddressAndAVpcIdForVpcBlocks()
    {
        assertThat(violationsOf(() -> MirrorSource.builder().networkInterfaceId("eni-1").addVpcCidrBlock("10.0.0.1/16")
            .build())).extracting(Violation::field).containsExactly("PrivateIpAddress", "VpcCidrBlocks[0]", "VpcId");
    }

    @Test
    void shouldAcceptAnIpv6OnlyInterface()
    {
        assertThat(MirrorSource.builder().networkInterfaceId("eni-6").addIpv6Address("2001:db8::1").build()
            .privateIpAddress()).isEmpty();
    }

    @Test
    void shouldBoundQuotasBelowAtOne()
    {
        assertThat(Quotas.of(1, 1, 1, 1, 1, 1).rulesPerFilter()).isEqualTo(1);
        assertThat(violationsOf(() -> Quotas.of(0, 1, 1, 1, 1, 0))).extracting(Violation::field)
            .containsExactly("rulesPerFilter", "sessions");
        assertThat(Quotas.aws()).isEqualTo(Quotas.of(10, 3, 10, 10_000, 10_000, 10_000));
        assertThat(Quotas.embedded().rulesPerFilter()).isEqualTo(1_000);
    }

    @Test
    void shouldBeImmutable()
    {
        final MirrorSource source = source("eni-1", 1).addIpv6Address("2001:db8::1").build();

        assertThatThrownBy(() -> source.ipv6Addresses().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> source.privateIpAddresses().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> source.vpcCidrBlocks().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldHonourEqualsAndHashCodeContract()
    {
        EqualsVerifier.forClass(MirrorTarget.class).verify();
        EqualsVerifier.forClass(MirrorSession.class).verify();
        EqualsVerifier.forClass(MirrorSource.class).verify();
        EqualsVerifier.forClass(Quotas.class).verify();
    }
}
