namespace MlOps.Streams
{
    /// <summary>Lower-case hexadecimal, as SHA-256 digests are written everywhere in MlOps (and by sha256sum).</summary>
    internal static class Hex
    {
        public static string Lower(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
                chars[2 * i + 1] = "0123456789abcdef"[bytes[i] & 15];
            }

            return new string(chars);
        }
    }
}
