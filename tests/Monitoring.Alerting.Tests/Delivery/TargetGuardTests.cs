using System.Net;
using Monitoring.Alerting.Delivery;
using Xunit;

namespace Monitoring.Alerting.Tests.Delivery;

public sealed class TargetGuardTests
{
    [Theory]
    [InlineData("8.8.8.8", AddressClass.Public)]
    [InlineData("2606:4700:4700::1111", AddressClass.Public)]
    [InlineData("172.15.255.255", AddressClass.Public)]
    [InlineData("172.32.0.1", AddressClass.Public)]
    [InlineData("100.63.255.255", AddressClass.Public)]
    [InlineData("127.0.0.1", AddressClass.Loopback)]
    [InlineData("127.255.0.9", AddressClass.Loopback)]
    [InlineData("0.0.0.0", AddressClass.Loopback)]
    [InlineData("::1", AddressClass.Loopback)]
    [InlineData("::", AddressClass.Loopback)]
    [InlineData("10.1.2.3", AddressClass.Private)]
    [InlineData("172.16.0.1", AddressClass.Private)]
    [InlineData("172.31.255.254", AddressClass.Private)]
    [InlineData("192.168.1.1", AddressClass.Private)]
    [InlineData("100.64.0.1", AddressClass.Private)]
    [InlineData("100.127.255.254", AddressClass.Private)]
    [InlineData("fc00::1", AddressClass.Private)]
    [InlineData("fd12:3456::1", AddressClass.Private)]
    [InlineData("169.254.1.1", AddressClass.LinkLocal)]
    [InlineData("fe80::1", AddressClass.LinkLocal)]
    [InlineData("febf::1", AddressClass.LinkLocal)]
    [InlineData("169.254.169.254", AddressClass.Metadata)]
    [InlineData("169.254.170.2", AddressClass.Metadata)]
    [InlineData("100.100.100.200", AddressClass.Metadata)]
    [InlineData("fd00:ec2::254", AddressClass.Metadata)]
    [InlineData("::ffff:169.254.169.254", AddressClass.Metadata)]
    [InlineData("::ffff:10.0.0.1", AddressClass.Private)]
    [InlineData("::ffff:127.0.0.1", AddressClass.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressClass.Metadata)]
    [InlineData("64:ff9b::808:808", AddressClass.Public)]
    [InlineData("224.0.0.1", AddressClass.NotUnicast)]
    [InlineData("255.255.255.255", AddressClass.NotUnicast)]
    [InlineData("ff02::1", AddressClass.NotUnicast)]
    public void Classify_PutsEachAddressInItsRange(string address, AddressClass expected)
    {
        Assert.Equal(expected, TargetGuard.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("169.254.1.1")]
    [InlineData("fe80::1")]
    public void Refusal_OfPrivateAddresses_DependsOnAllowPrivateTargets(string address)
    {
        Assert.NotNull(TargetGuard.Refusal(IPAddress.Parse(address), allowPrivateTargets: false));
        Assert.Null(TargetGuard.Refusal(IPAddress.Parse(address), allowPrivateTargets: true));
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:169.254.169.254")]
    public void Refusal_OfMetadataAddresses_HoldsEvenWhenPrivateTargetsAreAllowed(string address)
    {
        Assert.Equal("target refused: cloud metadata address", TargetGuard.Refusal(IPAddress.Parse(address), allowPrivateTargets: true));
    }
}
