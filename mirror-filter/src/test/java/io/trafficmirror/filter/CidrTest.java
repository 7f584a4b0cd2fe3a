package io.trafficmirror.filter;

import nl.jqno.equalsverifier.EqualsVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest
{
    @Test
    void shouldParseIpv4BlockIntoNumbers()
    {
        final Cidr cidr = Cidr.parse("10.1.0.0/16");

        assertThat(cidr.isIpv4()).isTrue();
        assertThat(cidr.prefixLength()).isEqualTo(16);
        assertThat(cidr.low()).isEqualTo(0x0A01_0000L);
        assertThat(cidr.high()).isZero();
        assertThat(cidr.ipv4Address()).isEqualTo(0x0A01_0000);
        assertThat(cidr.ipv4Mask()).isEqualTo(0xFFFF_0000);
        assertThat(cidr).hasToString("10.1.0.0/16");
    }

    @Test
    void shouldParseIpv6BlockIntoTwoLongs()
    {
        final Cidr cidr = Cidr.parse("2001:db8:0:0:0:0:0:0/32");

        assertThat(cidr.isIpv6()).isTrue();
        assertThat(cidr.high()).isEqualTo(0x2001_0db8_0000_0000L);
        assertThat(cidr.low()).isZero();
        assertThat(cidr).hasToString("2001:db8::/32");
    }

    @Test
    void shouldAcceptPrefixBoundaries()
    {
        assertThat(Cidr.parse("0.0.0.0/0")).isEqualTo(Cidr.ANY_IPV4);
        assertThat(Cidr.parse("255.255.255.255/32").low()).isEqualTo(0xFFFF_FFFFL);
        assertThat(Cidr.parse("::/0")).isEqualTo(Cidr.ANY_IPV6);
        assertThat(Cidr.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128").low()).isEqualTo(-1L);
        assertThat(Cidr.parse("8000::/1").high()).isEqualTo(Long.MIN_VALUE);
        assertThat(Cidr.parse("::1/128").low()).isEqualTo(1L);
        assertThat(Cidr.parse("0:0:0:1::/64").high()).isEqualTo(1L);
        assertThat(Cidr.parse("::8000:0:0:0/65").low()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void shouldRejectPrefixOnePastTheEnd()
    {
        assertThat(Cidr.problem("10.0.0.0/33")).contains("a prefix length of 0..32 after the /");
        assertThat(Cidr.problem("::/129")).contains("a prefix length of 0..128 after the /");
    }

    @Test
    void shouldRejectHostBitsNamingTheNormalizedBlock()
    {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("10.0.0.1/8")
            .hasMessageContaining("the block is 10.0.0.0/8");
        assertThat(Cidr.problem("2001:db8::1/64")).contains("no host bits set past /64: the block is 2001:db8::/64");
        assertThat(Cidr.problem("0.0.0.1/31")).contains("no host bits set past /31: the block is 0.0.0.0/31");
        assertThat(Cidr.problem("::1/127")).contains("no host bits set past /127: the block is ::/127");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "10.0.0.0", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8a", "10.0.0.0/0008", "10.0.0/8", "256.0.0.0/8",
        "example.com/8", "localhost/32", "fe80::1%eth0/128", "[::]/0", "::/ 0", " 10.0.0.0/8", "1.2.3.4.5/32",
        "2001:db8::g/32", "1:2:3:4:5:6:7:8:9/128"})
    void shouldRejectTextThatIsNotACidrBlock(final String text)
    {
        assertThat(Cidr.problem(text)).isPresent();
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepIpv4MappedAddressesInTheIpv6Family()
    {
        final Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");

        assertThat(mapped.isIpv6()).isTrue();
        assertThat(mapped.low()).isEqualTo(0x0000_FFFF_0A00_0000L);
        assertThat(Cidr.parse(mapped.toString())).isEqualTo(mapped);
    }

    @Test
    void shouldMatchAddressesInsideTheBlockOnly() throws Exception
    {
        final Cidr v4 = Cidr.parse("192.168.4.0/22");
        assertThat(v4.containsIpv4(0xC0A8_0400)).isTrue();
        assertThat(v4.containsIpv4(0xC0A8_07FF)).isTrue();
        assertThat(v4.containsIpv4(0xC0A8_03FF)).isFalse();
        assertThat(v4.containsIpv4(0xC0A8_0800)).isFalse();
        assertThat(v4.containsIpv6(0, 0xC0A8_0400L)).as("never matches the other family").isFalse();
        assertThat(Cidr.ANY_IPV4.containsIpv4(-1)).isTrue();

        final Cidr v6 = Cidr.parse("2001:db8:1::/48");
        assertThat(v6.contains(InetAddress.getByName("2001:db8:1:ffff::1"))).isTrue();
        assertThat(v6.contains(InetAddress.getByName("2001:db8:2::"))).isFalse();
        assertThat(v6.contains(InetAddress.getByName("32.1.13.184"))).isFalse();
        assertThat(Cidr.parse("::/0").containsIpv6(-1L, -1L)).isTrue();
        assertThat(Cidr.parse("::/0").containsIpv4(0)).isFalse();
    }

    @Test
    void shouldRoundTripThroughItsCanonicalText()
    {
        for (final String text : new String[]{"0.0.0.0/0", "172.31.0.0/16", "1.2.3.4/32", "::/0", "fd00:ec2::253/128",
            "2600:1f18:abcd:ef00::/56", "::ffff:0:0/96"})
        {
            assertThat(Cidr.parse(Cidr.parse(text).toString())).isEqualTo(Cidr.parse(text));
        }
        assertThat(Cidr.parse("2001:DB8:0::/48")).hasToString("2001:db8::/48");
    }

    @Test
    void shouldBuildSingleAddressBlocks() throws Exception
    {
        assertThat(Cidr.ofAddress(InetAddress.getByName("172.31.0.2"))).isEqualTo(Cidr.parse("172.31.0.2/32"));
        assertThat(Cidr.ofAddress(InetAddress.getByName("fd00:ec2::253"))).isEqualTo(Cidr.parse("fd00:ec2::253/128"));
        assertThat(Cidr.parse("10.0.0.0/8").networkAddress()).isEqualTo(InetAddress.getByName("10.0.0.0"));
    }

    @Test
    void shouldHonourEqualsAndHashCodeContract()
    {
        EqualsVerifier.forClass(Cidr.class).verify();
        EqualsVerifier.forClass(PortRange.class).verify();
        EqualsVerifier.forClass(Violation.class).withNonnullFields("objectId", "field", "value", "allowed").verify();
    }
}
