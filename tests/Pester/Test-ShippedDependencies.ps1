<#
.SYNOPSIS
    Checks, inside the running PowerShell, that every assembly the module ships can resolve every assembly it references.

.DESCRIPTION
    The trap this guards against: a dependency built against a newer runtime than the host's (for example
    Microsoft.Extensions.Configuration.Json 11 referencing System.Text.Json 11.0.0.0) compiles, but fails when
    first used, because the host's own copy (a trusted platform assembly) wins and is too old. For each reference
    of each shipped assembly: when the host has that assembly, the host's version must be at least the one
    referenced; otherwise the module must ship it in a version at least the one referenced.
    Writes one line per unresolved reference, or 'all resolved'.
#>
param([Parameter(Mandatory)] [string] $BinFolder)

$platform = @{}
if ($PSVersionTable.PSEdition -eq 'Core') {
    foreach ($path in ([AppContext]::GetData('TRUSTED_PLATFORM_ASSEMBLIES') -split [IO.Path]::PathSeparator)) {
        try { $name = [Reflection.AssemblyName]::GetAssemblyName($path); $platform[$name.Name] = $name.Version } catch { }
    }
}

$shipped = @{}
$files = @(Get-ChildItem $BinFolder -Filter *.dll -Recurse -ErrorAction Stop)
if ($files.Count -eq 0) { throw "No assemblies in $BinFolder." }
foreach ($file in $files) {
    $name = [Reflection.AssemblyName]::GetAssemblyName($file.FullName)
    $shipped[$name.Name] = $name.Version
}

$problems = foreach ($file in $files) {
    $stream = [IO.File]::OpenRead($file.FullName)
    try {
        $reader = [Reflection.PortableExecutable.PEReader]::new($stream)
        $metadata = [Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($reader)
        foreach ($handle in $metadata.AssemblyReferences) {
            $reference = $metadata.GetAssemblyReference($handle)
            $name = $metadata.GetString($reference.Name)
            $version = $reference.Version
            if ($name -in 'netstandard', 'mscorlib' -or $name -like 'System.Management.Automation') { continue }
            if ($platform.ContainsKey($name)) {
                if ($platform[$name] -lt $version) { "$($file.Name) needs $name $version; the host has $($platform[$name])" }
            }
            elseif ($shipped.ContainsKey($name)) {
                if ($shipped[$name] -lt $version) { "$($file.Name) needs $name $version; the module ships $($shipped[$name])" }
            }
            else { "$($file.Name) needs $name $version, which neither the host nor the module has" }
        }
    }
    finally { $stream.Dispose() }
}
if ($problems) { $problems } else { 'all resolved' }
