using System;
using System.Globalization;
using System.Management.Automation;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// Refuses a number with a fraction (1.5, "2.5") for an integer parameter instead of letting PowerShell round it to
    /// the nearest whole number, which would silently pick another version or history entry. Whole values (2, 2.0,
    /// "3") and anything that is not a number pass unchanged to PowerShell's own conversion and validation.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class WholeNumberAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject ps ? ps.BaseObject : inputData;
            double? number = value switch
            {
                double d => d,
                float f => f,
                decimal m => (double)m,
                string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            };
            if (number is double n && (double.IsNaN(n) || double.IsInfinity(n) || Math.Floor(n) != n))
            {
                throw new ArgumentTransformationMetadataException(
                    $"'{Convert.ToString(value, CultureInfo.InvariantCulture)}' is not a whole number: versions and history entries are numbered 1, 2, 3 …");
            }

            return inputData;
        }
    }
}
