using System.Net;
using System.Net.Sockets;

namespace Monitoring.Alerting.Delivery;

/// <summary>What kind of network an address belongs to, as far as delivery targets are concerned.</summary>
public enum AddressClass
{
    /// <summary>A routable public address.</summary>
    Public,
    /// <summary>Loopback (127/8, ::1) or the unspecified address (0/8, ::), which reaches this host.</summary>
    Loopback,
    /// <summary>Private or shared space: 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7 (ULA).</summary>
    Private,
    /// <summary>Link-local: 169.254/16, fe80::/10.</summary>
    LinkLocal,
    /// <summary>A cloud instance-metadata address: refused even when private targets are allowed.</summary>
    Metadata,
    /// <summary>Multicast, broadcast or reserved (240/4): never a delivery target.</summary>
    NotUnicast,
}

/// <summary>
/// Decides which resolved addresses a notifier may connect to (server-side request forgery guard). Private, loopback
/// and link-local addresses are refused unless explicitly allowed; metadata addresses always.
/// </summary>
public static class TargetGuard
{
    /// <summary>
    /// Instance-metadata endpoints, refused even with <see cref="HttpDeliveryOptions.AllowPrivateTargets"/>:
    /// AWS/GCP/Azure 169.254.169.254, AWS ECS task metadata 169.254.170.2, Alibaba 100.100.100.200, AWS IMDS over IPv6 fd00:ec2::254.
    /// </summary>
    public static readonly IReadOnlyList<IPAddress> MetadataAddresses =
    [
        IPAddress.Parse("169.254.169.254"),
        IPAddress.Parse("169.254.170.2"),
        IPAddress.Parse("100.100.100.200"),
        IPAddress.Parse("fd00:ec2::254"),
    ];

    /// <summary>Classifies one address; IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96) addresses by their IPv4 part.</summary>
    public static AddressClass Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Unwrap(address);
        if (MetadataAddresses.Contains(address))
        {
            return AddressClass.Metadata;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b switch
            {
                [0, ..] or [127, ..] => AddressClass.Loopback,
                [10, ..] => AddressClass.Private,
                [172, >= 16 and <= 31, ..] => AddressClass.Private,
                [192, 168, ..] => AddressClass.Private,
                [100, >= 64 and <= 127, ..] => AddressClass.Private,
                [169, 254, ..] => AddressClass.LinkLocal,
                [>= 224, ..] => AddressClass.NotUnicast,
                _ => AddressClass.Public,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6Any))
            {
                return AddressClass.Loopback;
            }
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            if (b[0] == 0xff)
            {
                return AddressClass.NotUnicast;
            }
            if ((b[0] & 0xfe) == 0xfc)
            {
                return AddressClass.Private;
            }
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
            {
                return AddressClass.LinkLocal;
            }
            // Deprecated site-local fec0::/10 is private space too.
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
            {
                return AddressClass.Private;
            }
            return AddressClass.Public;
        }
        return AddressClass.NotUnicast;
    }

    /// <summary>Null when <paramref name="address"/> may be connected to, else the reason it may not (no address in it).</summary>
    public static string? Refusal(IPAddress address, bool allowPrivateTargets) => Classify(address) switch
    {
        AddressClass.Public => null,
        AddressClass.Metadata => "target refused: cloud metadata address",
        AddressClass.NotUnicast => "target refused: not a unicast address",
        AddressClass.Loopback when !allowPrivateTargets => "target refused: loopback address (AllowPrivateTargets is false)",
        AddressClass.Private when !allowPrivateTargets => "target refused: private address (AllowPrivateTargets is false)",
        AddressClass.LinkLocal when !allowPrivateTargets => "target refused: link-local address (AllowPrivateTargets is false)",
        _ => null,
    };

    private static IPAddress Unwrap(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            // NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address in its last 32 bits.
            if (b[..12].SequenceEqual(Nat64Prefix))
            {
                return new IPAddress(b[12..]);
            }
        }
        return address;
    }

    private static ReadOnlySpan<byte> Nat64Prefix => [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
}

/// <summary>Thrown inside the connect callback when a target address is refused; its message never names the address or host.</summary>
public sealed class TargetRefusedException(string reason) : Exception(reason);
