<#
.SYNOPSIS
    Generates the cmdlets' MAML help (MlOps.PowerShell.dll-Help.xml) from their XML doc comments, the one source of truth.

.DESCRIPTION
    Imports the built module, and for each exported cmdlet reads from the compiler's XML documentation file:
    the synopsis and description (<para type="synopsis|description"> on the cmdlet class), each parameter's
    description (the property's summary, inherited members included) and examples (<example><code/><para/></example>).
    Syntax (with -WhatIf and -Confirm where the cmdlet supports them), types, positions, pipeline input, the INPUTS
    (pipeline-bound parameters) and OUTPUTS ([OutputType]) come from the cmdlet's metadata; RELATED LINKS from the
    topic groups below (every cmdlet must be in one). build.ps1 runs it after every build.

.PARAMETER ModulePath
    The module manifest to import.

.PARAMETER XmlDocPath
    The XML documentation file of MlOps.PowerShell.

.PARAMETER OutputFolder
    Where to write MlOps.PowerShell.dll-Help.xml.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $XmlDocPath,
    [Parameter(Mandatory)] [string] $OutputFolder
)
$ErrorActionPreference = 'Stop'
$module = Import-Module $ModulePath -PassThru -Force
$docs = [xml](Get-Content $XmlDocPath -Raw)
$members = @{}
foreach ($member in $docs.doc.members.member) { $members[$member.name] = $member }
# -WhatIf and -Confirm are shown (they are what a reader of a state-changing cmdlet's syntax looks for); the rest are
# <CommonParameters>.
$common = [System.Management.Automation.Cmdlet]::CommonParameters + @('UseTransaction')
$shouldProcessDocs = @{
    WhatIf  = 'Shows what the cmdlet would change, without changing anything.'
    Confirm = 'Asks for confirmation before each change. Changes to a protected environment ask unless -Confirm:$false (or -Force, where the cmdlet has it) is given.'
}
# RELATED LINKS: the cmdlets a reader of one cmdlet's help most likely needs next.
$topics = [ordered]@{
    project   = 'New-MlProject', 'Add-MlModel', 'Import-MlAkerbpProject', 'Get-MlSetting', 'Test-MlSetting'
    registry  = 'Publish-MlModelArtifact', 'Get-MlModelVersion', 'Save-MlModelArtifact'
    services  = 'Deploy-MlPredictionService', 'Deploy-MlTrainingService', 'Get-MlService', 'Invoke-MlServiceTest', 'Get-MlDeploymentHistory', 'Restore-MlService', 'Remove-MlService'
    calls     = 'Invoke-MlPrediction', 'Invoke-MlTraining', 'Get-MlServiceLog', 'Get-MlService'
    schedules = 'Register-MlServiceSchedule', 'Get-MlServiceSchedule', 'Unregister-MlServiceSchedule', 'Deploy-MlTrainingService'
    cdf       = 'Connect-MlCdf', 'Disconnect-MlCdf', 'Test-MlCdfConnection', 'Get-MlSetting'
}

function Get-Text($node) {
    if ($null -eq $node) { return '' }
    $text = if ($node -is [string]) { $node } else { $node.InnerText }
    (($text -split "`n") | ForEach-Object { $_.Trim() }) -join ' ' -replace '\s+', ' ' | ForEach-Object Trim
}

function Get-Para($member, [string] $type) {
    if ($null -eq $member) { return '' }
    $para = $member.summary.para | Where-Object { $_.type -eq $type } | Select-Object -First 1
    if ($para) { return Get-Text $para }
    if ($type -eq 'description') { return Get-Text $member.summary }
    ''
}

function Get-ParameterDoc([type] $type, [string] $name) {
    for ($t = $type; $null -ne $t; $t = $t.BaseType) {
        $member = $members["P:$($t.FullName).$name"]
        if ($member) { return Get-Para $member 'description' }
    }
    ''
}

$settings = [Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Path $OutputFolder -Force | Out-Null
$path = Join-Path $OutputFolder 'MlOps.PowerShell.dll-Help.xml'
$writer = [Xml.XmlWriter]::Create($path, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $type = $cmd.ImplementingType
    $doc = $members["T:$($type.FullName)"]
    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('command', 'details', $command)
    $writer.WriteElementString('command', 'name', $command, $cmd.Name)
    $writer.WriteElementString('command', 'verb', $command, $cmd.Verb)
    $writer.WriteElementString('command', 'noun', $command, $cmd.Noun)
    $writer.WriteStartElement('maml', 'description', $maml); $writer.WriteElementString('maml', 'para', $maml, (Get-Para $doc 'synopsis')); $writer.WriteEndElement()
    $writer.WriteEndElement()
    $writer.WriteStartElement('maml', 'description', $maml); $writer.WriteElementString('maml', 'para', $maml, (Get-Para $doc 'description')); $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $command)
        $writer.WriteElementString('maml', 'name', $maml, $cmd.Name)
        foreach ($parameter in $set.Parameters | Where-Object Name -NotIn $common) {
            $writer.WriteStartElement('command', 'parameter', $command)
            $writer.WriteAttributeString('required', "$($parameter.IsMandatory)".ToLowerInvariant())
            $writer.WriteAttributeString('position', $(if ($parameter.Position -ge 0) { "$($parameter.Position)" } else { 'named' }))
            $writer.WriteElementString('maml', 'name', $maml, $parameter.Name)
            if ($parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $writer.WriteElementString('command', 'parameterValue', $command, $parameter.ParameterType.Name)
            }
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $command)
    foreach ($parameter in $cmd.Parameters.Values | Where-Object Name -NotIn $common | Sort-Object Name) {
        $attributes = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $pipeline = @(if ($attributes.ValueFromPipeline -contains $true) { 'ByValue' }; if ($attributes.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' })
        $writer.WriteStartElement('command', 'parameter', $command)
        $writer.WriteAttributeString('required', "$(@($attributes.Mandatory) -contains $true)".ToLowerInvariant())
        $writer.WriteAttributeString('pipelineInput', $(if ($pipeline) { "true ($($pipeline -join ', '))" } else { 'false' }))
        $writer.WriteAttributeString('globbing', "$(@($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0)".ToLowerInvariant())
        $position = @($attributes | Where-Object Position -ge 0 | Select-Object -First 1).Position
        $writer.WriteAttributeString('position', $(if ($null -ne $position) { "$position" } else { 'named' }))
        $writer.WriteElementString('maml', 'name', $maml, $parameter.Name)
        $writer.WriteStartElement('maml', 'description', $maml)
        $text = if ($shouldProcessDocs.Contains($parameter.Name)) { $shouldProcessDocs[$parameter.Name] } else { Get-ParameterDoc $type $parameter.Name }
        $writer.WriteElementString('maml', 'para', $maml, $text)
        $writer.WriteEndElement()
        $writer.WriteElementString('command', 'parameterValue', $command, $parameter.ParameterType.Name)
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('maml', 'name', $maml, $parameter.ParameterType.FullName); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    # INPUTS: what the pipeline binds, by value (the parameter's type) or by property name.
    $writer.WriteStartElement('command', 'inputTypes', $command)
    $inputs = foreach ($parameter in $cmd.Parameters.Values | Where-Object Name -NotIn $common | Sort-Object Name) {
        $attributes = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        if ($attributes.ValueFromPipeline -contains $true) { [pscustomobject]@{ Name = $parameter.ParameterType.FullName; Text = "Bound to -$($parameter.Name)." } }
        elseif ($attributes.ValueFromPipelineByPropertyName -contains $true) { [pscustomobject]@{ Name = 'System.Management.Automation.PSObject'; Text = "Any object with a $($parameter.Name) property binds it to -$($parameter.Name)." } }
    }
    if (-not $inputs) { $inputs = @([pscustomobject]@{ Name = 'None'; Text = 'This cmdlet takes no pipeline input.' }) }
    foreach ($input in $inputs) {
        $writer.WriteStartElement('command', 'inputType', $command)
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('maml', 'name', $maml, $input.Name); $writer.WriteEndElement()
        $writer.WriteStartElement('maml', 'description', $maml); $writer.WriteElementString('maml', 'para', $maml, $input.Text); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    # OUTPUTS: the cmdlet's [OutputType].
    $writer.WriteStartElement('command', 'returnValues', $command)
    $outputs = @($cmd.OutputType | ForEach-Object Name | Select-Object -Unique)
    if (-not $outputs) { $outputs = @('None') }
    foreach ($output in $outputs) {
        $writer.WriteStartElement('command', 'returnValue', $command)
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('maml', 'name', $maml, $output); $writer.WriteEndElement()
        $writer.WriteStartElement('maml', 'description', $maml); $writer.WriteElementString('maml', 'para', $maml, $(if ($output -eq 'None') { 'This cmdlet writes no objects.' } else { "Typed objects that pipe into the next MlOps cmdlet; Get-Member lists their properties." })); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $examples = @($doc.example)
    if ($examples.Count -gt 0 -and $null -ne $examples[0]) {
        $writer.WriteStartElement('command', 'examples', $command)
        $number = 0
        foreach ($example in $examples) {
            $number++
            $writer.WriteStartElement('command', 'example', $command)
            $writer.WriteElementString('maml', 'title', $maml, "-------------------------- Example $number --------------------------")
            $code = if ($example.code -is [string]) { $example.code } else { $example.code.InnerText }
            $writer.WriteElementString('dev', 'code', $dev, ((($code -split "`n") | ForEach-Object { $_.Trim() } | Where-Object { $_ }) -join "`n"))
            $writer.WriteStartElement('dev', 'remarks', $dev); $writer.WriteElementString('maml', 'para', $maml, (Get-Text $example.para)); $writer.WriteEndElement()
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }

    $related = @($topics.Values | Where-Object { $_ -contains $cmd.Name } | ForEach-Object { $_ } | Where-Object { $_ -ne $cmd.Name } | Select-Object -Unique)
    if ($related.Count -eq 0) { throw "$($cmd.Name) is in no topic group of New-MlOpsHelp.ps1: add it so that its help has RELATED LINKS." }
    $writer.WriteStartElement('command', 'relatedLinks', $command)
    foreach ($link in @($related) + 'about_MlOps') {
        $writer.WriteStartElement('maml', 'navigationLink', $maml)
        $writer.WriteElementString('maml', 'linkText', $maml, $link)
        $writer.WriteElementString('maml', 'uri', $maml, '')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.Dispose()
Write-Verbose "Wrote $path"
