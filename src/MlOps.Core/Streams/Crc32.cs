using System;
using System.Runtime.InteropServices;

namespace MlOps.Streams
{
    /// <summary>
    /// CRC-32 (IEEE 802.3, the checksum in a gzip trailer), appended chunk by chunk: start with 0, pass each result on.
    /// <para>
    /// On .NET (Core) the runtime's own zlib, which every gzip stream already uses, computes it several times faster than
    /// managed code can (it uses the CPU's carry-less multiply); it is found once and checked against a known value. Where
    /// it is missing (Windows PowerShell's .NET Framework) a managed slicing-by-16 table computes the same value.
    /// </para>
    /// </summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = MakeTable();
        private static readonly bool UseNative = NativeWorks();

        public static uint Append(uint crc, byte[] buffer, int offset, int count)
        {
            if (count <= 0)
            {
                return crc;
            }

            if (offset < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            return UseNative ? NativeCrc32(crc, ref buffer[offset], count) : Managed(crc, buffer, offset, count);
        }

        /// <summary>The managed implementation (used where the native one is missing; public for tests).</summary>
        internal static uint Managed(uint crc, byte[] buffer, int offset, int count)
        {
            var t = Table;
            crc = ~crc;
            var i = offset;
            var end = offset + count;
            while (end - i >= 16)
            {
                var a = crc ^ (buffer[i] | (uint)buffer[i + 1] << 8 | (uint)buffer[i + 2] << 16 | (uint)buffer[i + 3] << 24);
                crc = t[(15 * 256) + (a & 0xff)] ^ t[(14 * 256) + ((a >> 8) & 0xff)] ^ t[(13 * 256) + ((a >> 16) & 0xff)] ^ t[(12 * 256) + (a >> 24)]
                    ^ t[(11 * 256) + buffer[i + 4]] ^ t[(10 * 256) + buffer[i + 5]] ^ t[(9 * 256) + buffer[i + 6]] ^ t[(8 * 256) + buffer[i + 7]]
                    ^ t[(7 * 256) + buffer[i + 8]] ^ t[(6 * 256) + buffer[i + 9]] ^ t[(5 * 256) + buffer[i + 10]] ^ t[(4 * 256) + buffer[i + 11]]
                    ^ t[(3 * 256) + buffer[i + 12]] ^ t[(2 * 256) + buffer[i + 13]] ^ t[256 + buffer[i + 14]] ^ t[buffer[i + 15]];
                i += 16;
            }

            while (i < end)
            {
                crc = t[(crc ^ buffer[i++]) & 0xff] ^ (crc >> 8);
            }

            return ~crc;
        }

        internal static bool IsNative => UseNative;

        private static uint[] MakeTable()
        {
            var table = new uint[16 * 256];
            for (uint i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                }

                table[i] = c;
            }

            for (var i = 0; i < 256; i++)
            {
                for (var slice = 1; slice < 16; slice++)
                {
                    var previous = table[((slice - 1) * 256) + i];
                    table[(slice * 256) + i] = (previous >> 8) ^ table[previous & 0xff];
                }
            }

            return table;
        }

        private static bool NativeWorks()
        {
            try
            {
                var check = System.Text.Encoding.ASCII.GetBytes("123456789");
                return NativeCrc32(0, ref check[0], check.Length) == 0xCBF43926;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is BadImageFormatException
                || e is MarshalDirectiveException)
            {
                return false;
            }
        }

        // zlib's crc32() as exported by the .NET runtime's compression library (the one System.IO.Compression uses).
        [DllImport("System.IO.Compression.Native", EntryPoint = "CompressionNative_Crc32")]
        private static extern uint NativeCrc32(uint crc, ref byte buffer, int length);
    }
}
