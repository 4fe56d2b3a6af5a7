using System;
using System.Management.Automation;
using MlOps.SourceControl;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// Accepts a git commit id or its start: 4 to 64 hexadecimal digits (as <c>git rev-parse --short</c> prints them).
    /// Anything else (a branch name, a tag) is refused with the reason, so a filter never silently matches nothing.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class CommitIdAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = (arguments is PSObject ps ? ps.BaseObject : arguments) as string;
            if (text == null || !SourceRevision.IsCommitPrefix(text))
            {
                throw new ValidationMetadataException(
                    $"'{text ?? Convert.ToString(arguments)}' is not a git commit id: give 4 to 64 hexadecimal digits, such as the output of 'git rev-parse --short HEAD' (branch and tag names are not accepted).");
            }
        }
    }
}
