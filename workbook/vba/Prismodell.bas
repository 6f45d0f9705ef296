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

' Button "Nytt prisår": from this computed workbook, write next year's workbook beside it.
Public Sub NyttPrisar()
    On Error GoTo Fel
    Application.StatusBar = "Skapar nästa prisår ..."
    RunPython "import xlkc.excel; xlkc.excel.nytt_prisar()"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Nytt prisår kunde inte startas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Kontrollera sökvägen till Python på bladet xlwings.conf.", vbExclamation, TITEL
End Sub
