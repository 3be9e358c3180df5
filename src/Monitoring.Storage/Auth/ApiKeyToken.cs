using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Monitoring.Storage.Auth;

/// <summary>
/// The text of an API key: <c>mon_{id}_{secret}</c>, where <c>id</c> is 16 lowercase hex digits (64 random bits, the
/// part that may be listed, logged and revoked by) and <c>secret</c> 64 lowercase hex digits (256 random bits, shown
/// once at creation). Only the SHA-256 of the secret is stored: a 256-bit random secret needs no salt or slow hash,
/// because it cannot be guessed from a dictionary. Checks compare hashes in constant time.
/// </summary>
public static class ApiKeyToken
{
    /// <summary>What every key starts with, so a leaked key is recognisable (and secret scanners can find it).</summary>
    public const string Prefix = "mon_";

    /// <summary>Hex digits of a key id.</summary>
    public const int IdLength = 16;

    /// <summary>Hex digits of a secret.</summary>
    public const int SecretLength = 64;

    /// <summary>Length of a whole key.</summary>
    public const int Length = 4 + IdLength + 1 + SecretLength;

    /// <summary>A new key: its id, its full text (to show once) and the hash to store.</summary>
    public static (string Id, string Key, byte[] SecretHash) Create()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretLength / 2));
        return (id, $"{Prefix}{id}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented key into its id and secret; false when it is not of the form <c>mon_{id}_{secret}</c>.</summary>
    public static bool TryParse(string? key, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        id = null;
        secret = null;
        if (key is null || key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + IdLength] != '_')
        {
            return false;
        }

        var idPart = key.AsSpan(Prefix.Length, IdLength);
        var secretPart = key.AsSpan(Prefix.Length + IdLength + 1);
        if (!IsLowerHex(idPart) || !IsLowerHex(secretPart))
        {
            return false;
        }

        id = idPart.ToString();
        secret = secretPart.ToString();
        return true;
    }

    /// <summary>Whether <paramref name="id"/> looks like a key id (for the CLI's <c>revoke</c>).</summary>
    public static bool IsKeyId(string? id) => id is { Length: IdLength } && IsLowerHex(id);

    /// <summary>SHA-256 of the secret's UTF-8 text.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="storedHash"/> (constant time in the hash).</summary>
    public static bool Matches(string secret, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
