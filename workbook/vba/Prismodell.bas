Attribute VB_Name = "Prismodell"
' Prismodell Kontaktcenter: the buttons on the Start sheet.
' Each macro hands over to Python through xlwings RunPython (standalone mode: the xlwings
' module and its Dictionary class are embedded in this workbook, no add-in is needed).
' The Python interpreter is set on the sheet xlwings.conf (INTERPRETER_WIN / INTERPRETER_MAC).
' Messages shown to the user are Swedish.
Option Explicit

Private Const TITEL As String = "Prismodell Kontaktcenter"

' Button "Beräkna priser": validate the inputs, calculate and write the output sheets.
Public Sub BeraknaPriser()
    On Error GoTo Fel
    Application.StatusBar = "Beräknar priser ..."
    RunPython "import xlkc.excel; xlkc.excel.berakna_priser()"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Beräkningen kunde inte startas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Kontrollera sökvägen till Python på bladet xlwings.conf.", vbExclamation, TITEL
End Sub

' Button "Validera indata": check the input sheets and report problems, without calculating.
Public Sub ValideraIndata()
    On Error GoTo Fel
    Application.StatusBar = "Validerar indata ..."
    RunPython "import xlkc.excel; xlkc.excel.validera_indata()"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Valideringen kunde inte startas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Kontrollera sökvägen till Python på bladet xlwings.conf.", vbExclamation, TITEL
End Sub

' Button "Testa kopplingen": check that the Python named on xlwings.conf exists (a Swedish message
' with the path if not, before RunPython can fail with its own dialog), then let Python report
' its Python, xlkc and xlwings versions and whether they match this workbook.
Public Sub TestaKopplingen()
    Dim nyckel As String, tolk As String
    On Error GoTo Fel
    #If Mac Then
        nyckel = "INTERPRETER_MAC"
    #Else
        nyckel = "INTERPRETER_WIN"
    #End If
    tolk = GetConfig(nyckel, "")
    If tolk = "" Then
        MsgBox "Ingen Python är angiven på bladet xlwings.conf (" & nyckel & ")." & vbCrLf & vbCrLf & _
            "Kör xlkc installera i en terminal där xlkc är installerat; det skriver sökvägen här.", _
            vbExclamation, TITEL
        Exit Sub
    End If
    If Not FileExists(tolk) Then
        MsgBox "Python hittas inte:" & vbCrLf & tolk & vbCrLf & vbCrLf & _
            "Sökvägen står på bladet xlwings.conf (" & nyckel & "). Installera xlkc (pip install) " & _
            "och kör xlkc installera i en terminal; det skriver rätt sökväg här.", vbExclamation, TITEL
        Exit Sub
    End If
    Application.StatusBar = "Testar kopplingen till Python ..."
    RunPython "import xlkc.excel; xlkc.excel.testa_kopplingen('" & XLWINGS_VERSION & "')"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Python kunde inte startas:" & vbCrLf & tolk & vbCrLf & vbCrLf & Err.Description, _
        vbExclamation, TITEL
End Sub
